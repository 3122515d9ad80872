public import MeterImage

/// How sharp a picture is, independent of its exposure.
///
/// The strongest edges (99.5th percentile of the larger of the horizontal and vertical
/// neighbour differences) divided by the picture's standard deviation: a sharp photo of any
/// contrast has edges a good part of its brightness range tall; a motion-blurred one smears
/// every edge over many pixels. On the samples, motion-blurred photos measure 0.17–0.25 and
/// the least sharp readable ones 0.44.
public enum Sharpness {
    /// Edge strength under which a run of 16 pixels is not counted, pixel by pixel, on the
    /// first pass: most of a photo is smooth, and the percentile sought lies above it unless
    /// the picture is very soft (then a second, exact pass counts everything).
    static let countedEdge: UInt8 = 16

    /// The edge-to-contrast ratio of a gray picture; nil for a flat one, which has no edges
    /// to judge (and is not blurred, just empty).
    public static func edgeRatio(_ gray: Image) -> Double? {
        precondition(gray.format == .gray, "edgeRatio takes a gray image")
        guard gray.width >= 2, gray.height >= 2 else { return nil }
        var pass = edgeHistogram(gray, skippingBelow: countedEdge)
        let n = Double((gray.width - 1) * (gray.height - 1))
        let mean = Double(pass.sum) / n
        let deviation = max(0, Double(pass.squares) / n - mean * mean).squareRoot()
        guard deviation >= 2 else { return nil }
        let budget = Int(n * 0.005)
        var level = percentileLevel(pass.counts, budget: budget)
        if level < Int(countedEdge) {
            pass = edgeHistogram(gray, skippingBelow: 0)
            level = percentileLevel(pass.counts, budget: budget)
        }
        return Double(level) / deviation
    }

    /// The edge level at or above which only `budget` pixels lie, from the top of `counts`.
    static func percentileLevel(_ counts: [Int], budget: Int) -> Int {
        var remaining = budget
        var level = 255
        while level > 0, remaining >= counts[level] {
            remaining -= counts[level]
            level -= 1
        }
        return level
    }

    /// Histogram of edge strengths (the larger neighbour difference, right or below) and the
    /// sum and sum of squares of the pixels. Runs of 16 pixels whose edges are all under
    /// `threshold` are left out of the histogram (not of the sums), so only its bins from
    /// `threshold` up are complete.
    static func edgeHistogram(_ gray: Image, skippingBelow threshold: UInt8) -> (counts: [Int], sum: Int, squares: Int) {
        let width = gray.width
        let height = gray.height
        // Four histograms, filled in turn: neighbouring pixels often share a bin, and with one
        // histogram each increment would wait for the one before.
        var counts = [Int](repeating: 0, count: 4 * 256)
        var sum = 0
        var squares = 0
        gray.pixels.withUnsafeBufferPointer { pixels in
            counts.withUnsafeMutableBufferPointer { histograms in
                guard let base = pixels.baseAddress, let bins = histograms.baseAddress else { return }
                let lanes = 16
                let wide = (width - 1) / lanes * lanes
                let floor = SIMD16<UInt8>(repeating: threshold)
                for y in 0..<(height - 1) {
                    let row = base + y * width
                    let below = row + width
                    // A lane sums every 16th pixel of one row: its squares would overflow
                    // UInt32 only in a row over a million pixels wide.
                    var rowSum = SIMD16<UInt32>()
                    var rowSquares = SIMD16<UInt32>()
                    var x = 0
                    while x < wide {
                        let value = UnsafeRawPointer(row + x).loadUnaligned(as: SIMD16<UInt8>.self)
                        let right = UnsafeRawPointer(row + x + 1).loadUnaligned(as: SIMD16<UInt8>.self)
                        let down = UnsafeRawPointer(below + x).loadUnaligned(as: SIMD16<UInt8>.self)
                        let dx = pointwiseMax(value, right) &- pointwiseMin(value, right)
                        let dy = pointwiseMax(value, down) &- pointwiseMin(value, down)
                        let edges = pointwiseMax(dx, dy)
                        let widened = SIMD16<UInt32>(truncatingIfNeeded: value)
                        rowSum &+= widened
                        rowSquares &+= widened &* widened
                        if any(edges .>= floor) {
                            for lane in stride(from: 0, to: lanes, by: 4) {
                                bins[Int(edges[lane])] &+= 1
                                bins[256 + Int(edges[lane + 1])] &+= 1
                                bins[512 + Int(edges[lane + 2])] &+= 1
                                bins[768 + Int(edges[lane + 3])] &+= 1
                            }
                        }
                        x += lanes
                    }
                    sum &+= Int(rowSum.wrappedSum())
                    squares &+= Int(rowSquares.wrappedSum())
                    while x < width - 1 {
                        let value = Int(row[x])
                        let dx = abs(Int(row[x + 1]) &- value)
                        let dy = abs(Int(below[x]) &- value)
                        bins[max(dx, dy)] &+= 1
                        sum &+= value
                        squares &+= value &* value
                        x += 1
                    }
                }
            }
        }
        var merged = [Int](repeating: 0, count: 256)
        for copy in 0..<4 {
            for level in 0..<256 { merged[level] += counts[copy * 256 + level] }
        }
        return (merged, sum, squares)
    }
}
