public import MeterImage

/// How sharp a picture is, independent of its exposure.
///
/// The strongest edges (99.5th percentile of the larger of the horizontal and vertical
/// neighbour differences) divided by the picture's standard deviation: a sharp photo of any
/// contrast has edges a good part of its brightness range tall; a motion-blurred one smears
/// every edge over many pixels. On the samples, motion-blurred photos measure 0.17–0.25 and
/// the least sharp readable ones 0.44.
public enum Sharpness {
    /// The edge-to-contrast ratio of a gray picture; nil for a flat one, which has no edges
    /// to judge (and is not blurred, just empty).
    public static func edgeRatio(_ gray: Image) -> Double? {
        precondition(gray.format == .gray, "edgeRatio takes a gray image")
        let width = gray.width
        let height = gray.height
        guard width >= 2, height >= 2 else { return nil }
        var counts = [Int](repeating: 0, count: 256)
        // Integer sums: exact (as the Double sums were, far below 2^53) and without a
        // floating-point dependency chain through every pixel.
        var sum = 0
        var squares = 0
        gray.pixels.withUnsafeBufferPointer { pixels in
            counts.withUnsafeMutableBufferPointer { histogram in
                guard let base = pixels.baseAddress, let bins = histogram.baseAddress else { return }
                for y in 0..<(height - 1) {
                    let row = base + y * width
                    let below = row + width
                    for x in 0..<(width - 1) {
                        let value = Int(row[x])
                        let dx = abs(Int(row[x + 1]) &- value)
                        let dy = abs(Int(below[x]) &- value)
                        bins[max(dx, dy)] &+= 1
                        sum &+= value
                        squares &+= value &* value
                    }
                }
            }
        }
        let n = Double((width - 1) * (height - 1))
        let mean = Double(sum) / n
        let deviation = max(0, Double(squares) / n - mean * mean).squareRoot()
        guard deviation >= 2 else { return nil }
        var remaining = Int(n * 0.005)
        var level = 255
        while level > 0, remaining >= counts[level] {
            remaining -= counts[level]
            level -= 1
        }
        return Double(level) / deviation
    }
}
