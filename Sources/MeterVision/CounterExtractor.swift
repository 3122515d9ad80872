public import MeterImage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One digit position cut out of a straightened counter.
public struct DigitCell: Sendable {
    /// The cell's gray pixels, upright, as in the photo (not yet polarity-normalised).
    public var image: Image
    /// Where the cell sits in the straightened strip: left, top, width, height.
    public var frame: (x: Int, y: Int, width: Int, height: Int)
    /// Share of clearly red pixels around the cell (0…1).
    public var redness: Double
    /// A fraction digit (red drum, red frame).
    public var isFraction: Bool
    /// Where the drum stands (see `RollingDetector`).
    public var roll: RollingDetector.Analysis
    /// The drum is caught between two digits.
    public var isRolling: Bool { roll.isRolling }
    /// The locator found no digit shape of its own here (filled in from the row's pitch).
    public var isInferred: Bool
    /// The locator's evidence for the ink polarity at this position.
    public var darkInk: Bool
}

/// A straightened counter and its cells.
public struct CounterCrop: Sendable {
    /// The counter row resampled horizontal (deskewed), gray.
    public var strip: Image
    /// Cells left to right.
    public var cells: [DigitCell]
    /// The candidate this crop was cut from, in full-resolution coordinates.
    public var candidate: CounterCandidate
}

/// Cuts a located counter out of the full-resolution planes: deskews it and splits it into cells.
public struct CounterExtractor: Sendable {
    /// Cell height as a multiple of the digit height (room for rolling digits' halves).
    public var cellHeightFactor = 1.3
    /// Share of clearly red pixels above which a cell counts as a red fraction drum.
    public var fractionRedShare = 0.06

    /// An extractor with default proportions.
    public init() {}

    /// The straightened strip and its cells for `candidate` (already in `photo` coordinates);
    /// `photo` is gray or RGB (RGB lets red fraction drums be recognised).
    public func extract(_ candidate: CounterCandidate, from photo: Image) -> CounterCrop {
        let centers = candidate.cellCenters
        let first = centers[0]
        let last = centers[centers.count - 1]
        let mid = Point(x: (first.x + last.x) / 2, y: (first.y + last.y) / 2)
        let cosine = cos(candidate.angle)
        let sine = sin(candidate.angle)
        let span = ((last.x - first.x) * cosine + (last.y - first.y) * sine)
        let stripWidth = max(8, Int(span + candidate.pitch * 1.4))
        let stripHeight = max(8, Int(candidate.digitHeight * 1.8))
        let half = (Double(stripWidth) / 2, Double(stripHeight) / 2)
        func source(_ u: Double, _ v: Double) -> (Float, Float) {
            let du = u - half.0
            let dv = v - half.1
            return (Float(mid.x + du * cosine - dv * sine), Float(mid.y + du * sine + dv * cosine))
        }
        let planes = ColorPlanes.sampled(from: photo, width: stripWidth, height: stripHeight) { x, y in
            source(Double(x) + 0.5, Double(y) + 0.5)
        }
        let strip = planes.gray
        let redStrip = planes.redness
        let cellWidth = max(4, Int(min(candidate.pitch * 0.96, candidate.digitWidth * 1.35)))
        let cellHeight = max(4, Int(candidate.digitHeight * cellHeightFactor))
        var cells: [DigitCell] = []
        for (index, center) in centers.enumerated() {
            let u = (center.x - mid.x) * cosine + (center.y - mid.y) * sine + half.0
            let x = Int(u - Double(cellWidth) / 2)
            let y = Int(half.1 - Double(cellHeight) / 2)
            let image = strip.cropped(x: x, y: y, width: cellWidth, height: cellHeight)
            // Redness over the whole pitch and a little above and below: red frames count too.
            let pitchWidth = Int(candidate.pitch)
            let redRegion = redStrip.cropped(
                x: Int(u) - pitchWidth / 2, y: 0, width: pitchWidth, height: stripHeight)
            cells.append(
                DigitCell(
                    image: image, frame: (x, y, cellWidth, cellHeight), redness: redRegion.share(above: 60),
                    isFraction: false,
                    roll: RollingDetector.analyze(image, darkInk: candidate.darkInk[index]),
                    isInferred: candidate.inferred[index], darkInk: candidate.darkInk[index]))
        }
        keepRollingSuffix(&cells)
        markFractionSuffix(&cells)
        if let last = candidate.decimalAfter {
            for index in cells.indices where index > last { cells[index].isFraction = true }
        }
        return CounterCrop(strip: strip, cells: cells, candidate: candidate)
    }

    /// A drum turns only while every drum to its right passes from 9 to 0, so drums caught
    /// mid-roll form a run that ends at the right end of the row. A "rolling" cell anywhere
    /// else is a misreading of its picture (a hollow glyph, a shadow) and is taken at rest.
    func keepRollingSuffix(_ cells: inout [DigitCell]) {
        var index = cells.count - 1
        while index >= 0, cells[index].isRolling { index -= 1 }
        while index >= 0 {
            cells[index].roll.isRolling = false
            index -= 1
        }
    }

    /// Fraction drums are the red ones at the right end of the row.
    func markFractionSuffix(_ cells: inout [DigitCell]) {
        let leading = cells.prefix(max(1, cells.count / 2)).map(\.redness).sorted()
        let baseline = leading[leading.count / 2]
        let threshold = max(fractionRedShare, baseline * 4)
        var index = cells.count - 1
        while index > 0, cells[index].redness > threshold {
            cells[index].isFraction = true
            index -= 1
        }
    }
}

extension Image {
    /// A gray sub-image; parts outside the image repeat the nearest edge pixel.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> Image {
        precondition(format == .gray, "cropped takes a gray image")
        let w = width
        let h = height
        let pixels = [UInt8](unsafeUninitializedCapacity: cropWidth * cropHeight) { output, count in
            self.pixels.withUnsafeBufferPointer { input in
                for row in 0..<cropHeight {
                    let sy = min(max(y + row, 0), h - 1)
                    for column in 0..<cropWidth {
                        let sx = min(max(x + column, 0), w - 1)
                        output[row * cropWidth + column] = input[sy * w + sx]
                    }
                }
            }
            count = cropWidth * cropHeight
        }
        return Image(width: cropWidth, height: cropHeight, format: .gray, pixels: pixels)
    }

    /// The negative of a gray image.
    public func inverted() -> Image {
        var copy = self
        copy.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices { pixels[index] = 255 &- pixels[index] }
        }
        return copy
    }

    /// Share of pixels brighter than `level`.
    public func share(above level: UInt8) -> Double {
        guard !pixels.isEmpty else { return 0 }
        var count = 0
        for value in pixels where value > level { count += 1 }
        return Double(count) / Double(pixels.count)
    }

    /// Mean pixel value of a gray image.
    public var mean: Double {
        guard !pixels.isEmpty else { return 0 }
        var sum = 0
        for value in pixels { sum += Int(value) }
        return Double(sum) / Double(pixels.count)
    }
}
