public import MeterImage

/// How `prepareCellForOCR` turns a digit crop into what an OCR engine reads best.
///
/// `standard` is what measured best with Tesseract's stock `eng` model on
/// shared/data/meter-digits; the switches exist so the evaluation can show what each step is
/// worth (`naive` turns everything off but gray conversion and scaling).
public struct CellPreparationOptions: Sendable, Hashable {
    /// Output height of the digit's ink (with `cropToInk`) or of the whole cell, in pixels.
    public var targetHeight: Int
    /// White border added above and below, in pixels.
    public var border: Int
    /// White border added left and right, in pixels.
    public var sideBorder: Int
    /// Make light-on-dark cells dark-on-light.
    public var normalizePolarity: Bool
    /// Stretch the cell's own dark and light levels to black and white.
    public var stretchContrast: Bool
    /// Erase ink that touches the cell's edge but not its centre: pieces of the neighbouring
    /// drum digits, the window frame, neighbouring LCD segments, decimal points.
    public var removeEdgeClutter: Bool
    /// Cut the cell down to the bounding box of the remaining ink before scaling.
    public var cropToInk: Bool
    /// Threshold the result to pure black and white.
    public var binarize: Bool

    /// Every step chosen explicitly.
    public init(
        targetHeight: Int, border: Int, sideBorder: Int? = nil, normalizePolarity: Bool, stretchContrast: Bool,
        removeEdgeClutter: Bool, cropToInk: Bool, binarize: Bool
    ) {
        precondition(targetHeight > 0 && border >= 0, "bad cell preparation size")
        self.targetHeight = targetHeight
        self.border = border
        self.sideBorder = sideBorder ?? border
        self.normalizePolarity = normalizePolarity
        self.stretchContrast = stretchContrast
        self.removeEdgeClutter = removeEdgeClutter
        self.cropToInk = cropToInk
        self.binarize = binarize
    }

    /// The preparation that reads best with stock `eng` through `TesseractRecognizer`:
    /// dark-on-light, stretched, the whole cell scaled to 48 px high, no border.
    ///
    /// Measured on shared/data/meter-digits: the LSTM reads a digit best when it fills about
    /// two thirds of the line height, as in a crop of a drum window; a white border, a crop to
    /// the ink, erasing the neighbours' slivers and binarising each cost several points there.
    public static let standard = CellPreparationOptions(
        targetHeight: 48, border: 0, normalizePolarity: true, stretchContrast: true,
        removeEdgeClutter: false, cropToInk: false, binarize: false)

    /// Gray conversion and scaling to the same height only: the baseline.
    public static let naive = CellPreparationOptions(
        targetHeight: 48, border: 0, normalizePolarity: false, stretchContrast: false,
        removeEdgeClutter: false, cropToInk: false, binarize: false)
}

/// Turns one digit crop (gray or RGB, either polarity) into a gray cell for OCR: dark digit on
/// a white background, contrast stretched, scaled to a fixed digit height, padded with white.
///
/// Works on any crop size; an empty crop gives an all-white cell. Costs a few microseconds per
/// typical cell (plain loops over the pixels, a handful of passes).
public func prepareCellForOCR(_ cell: Image, options: CellPreparationOptions = .standard) -> Image {
    guard cell.width > 0, cell.height > 0 else {
        return Image(
            width: 2 * options.sideBorder + 1, height: 2 * options.border + 1, format: .gray,
            filledWith: 255)
    }
    let width = cell.width
    let height = cell.height
    var gray = cell.grayscale().pixels
    let window = CentralWindow(width: width, height: height)
    var histogram = gray.withUnsafeBufferPointer { windowHistogram($0, width: width, window: window) }
    var threshold = Int(Threshold.otsu(histogram))

    if options.normalizePolarity,
        gray.withUnsafeBufferPointer({ inkIsLight($0, width: width, window: window, threshold: threshold) })
    {
        gray.withUnsafeMutableBufferPointer { invert($0) }
        histogram.reverse()
        threshold = 254 - threshold
    }
    if options.stretchContrast {
        var low = percentile(histogram, 0.02)
        var high = percentile(histogram, 0.98)
        // A seven-segment "1" lights only the right-hand segments and leaves the middle of its
        // cell empty: stretched on the middle alone, the background (and the unlit segments)
        // would become black and white. Where the middle holds far less contrast than the
        // whole cell, the whole cell sets the levels.
        let whole = Threshold.histogram(Image(width: width, height: height, format: .gray, pixels: gray))
        let wholeLow = percentile(whole, 0.02)
        let wholeHigh = percentile(whole, 0.98)
        if 2 * (high - low) < wholeHigh - wholeLow {
            low = wholeLow
            high = wholeHigh
        }
        if high > low {
            let table = stretchTable(low: low, high: high)
            gray.withUnsafeMutableBufferPointer { pixels in
                table.withUnsafeBufferPointer { lookUp(pixels, $0) }
            }
            threshold = Int(table[threshold])
        }
    }

    var box = Box(x: 0, y: 0, width: width, height: height)
    if options.removeEdgeClutter || options.cropToInk {
        let ink = InkComponents(gray, width: width, height: height, threshold: threshold)
        let keep = ink.componentsToKeep(window: window)
        if options.removeEdgeClutter {
            ink.erase(keeping: keep, in: &gray)
        }
        if options.cropToInk, let inkBox = ink.boundingBox(of: keep) {
            box = inkBox.grown(by: 1, within: width, height)
        }
    }

    let outHeight = options.targetHeight
    let outWidth = max(1, Int((Double(box.width) * Double(outHeight) / Double(box.height)).rounded()))
    var scaled = resample(gray, width: width, box: box, toWidth: outWidth, height: outHeight)
    if options.binarize {
        let cut = UInt8(clamping: threshold)
        scaled.withUnsafeMutableBufferPointer { binarize($0, threshold: cut) }
    }
    return pad(scaled, width: outWidth, height: outHeight, border: options.border, sideBorder: options.sideBorder)
}

// MARK: - Kernels

/// A rectangle in pixel coordinates.
private struct Box: Hashable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    func grown(by margin: Int, within imageWidth: Int, _ imageHeight: Int) -> Box {
        let left = max(0, x - margin)
        let top = max(0, y - margin)
        let right = min(imageWidth, x + width + margin)
        let bottom = min(imageHeight, y + height + margin)
        return Box(x: left, y: top, width: right - left, height: bottom - top)
    }
}

/// The middle of a cell, where the digit is: statistics come from here, and ink that never
/// reaches it (but touches the edge) is clutter.
private struct CentralWindow {
    let x0: Int, x1: Int, y0: Int, y1: Int

    init(width: Int, height: Int) {
        x0 = width / 4
        x1 = max(x0 + 1, width - width / 4)
        y0 = height * 3 / 10
        y1 = max(y0 + 1, height - height * 3 / 10)
    }

    func contains(x: Int, y: Int) -> Bool { x >= x0 && x < x1 && y >= y0 && y < y1 }
}


/// Histogram of the central window.
private func windowHistogram(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, window: CentralWindow) -> [Int] {
    var histogram = [Int](repeating: 0, count: 256)
    histogram.withUnsafeMutableBufferPointer { bins in
        for y in window.y0..<window.y1 {
            let row = y * width
            for x in window.x0..<window.x1 { bins[Int(pixels[row + x])] += 1 }
        }
    }
    return histogram
}


/// Whether the digit is the light class: the ink is the class that fills more of the central
/// window than of the cell's outer band (background surrounds the digit; the band holds at most
/// slivers of neighbouring digits and the window frame).
private func inkIsLight(
    _ pixels: UnsafeBufferPointer<UInt8>, width: Int, window: CentralWindow, threshold: Int
) -> Bool {
    let height = pixels.count / width
    let bandX = max(1, width * 3 / 20)
    let bandY = max(1, height * 3 / 20)
    let cut = UInt8(clamping: threshold)
    var centreDark = 0
    var centreTotal = 0
    var bandDark = 0
    var bandTotal = 0
    for y in 0..<height {
        let row = y * width
        let inBandRow = y < bandY || y >= height - bandY
        let inWindowRow = y >= window.y0 && y < window.y1
        for x in 0..<width {
            let dark = pixels[row + x] <= cut ? 1 : 0
            if inBandRow || x < bandX || x >= width - bandX {
                bandDark += dark
                bandTotal += 1
            } else if inWindowRow && x >= window.x0 && x < window.x1 {
                centreDark += dark
                centreTotal += 1
            }
        }
    }
    guard centreTotal > 0, bandTotal > 0 else { return false }
    // Dark share in the centre below dark share in the band: the dark class is background.
    return centreDark * bandTotal < bandDark * centreTotal
}

/// The smallest value with at least `fraction` of the histogram at or below it.
private func percentile(_ histogram: [Int], _ fraction: Double) -> Int {
    let total = histogram.reduce(0, +)
    let target = Int((Double(total) * fraction).rounded(.up))
    var seen = 0
    for value in 0..<256 {
        seen += histogram[value]
        if seen >= max(target, 1) { return value }
    }
    return 255
}

private func invert(_ pixels: UnsafeMutableBufferPointer<UInt8>) {
    for index in pixels.indices { pixels[index] = 255 &- pixels[index] }
}

/// Maps `low` and below to 0, `high` and above to 255, linearly between.
private func stretchTable(low: Int, high: Int) -> [UInt8] {
    (0..<256).map { value in
        let scaled = (value - low) * 255 / (high - low)
        return UInt8(clamping: scaled)
    }
}

private func lookUp(_ pixels: UnsafeMutableBufferPointer<UInt8>, _ table: UnsafeBufferPointer<UInt8>) {
    for index in pixels.indices { pixels[index] = table[Int(pixels[index])] }
}

private func binarize(_ pixels: UnsafeMutableBufferPointer<UInt8>, threshold: UInt8) {
    for index in pixels.indices { pixels[index] = pixels[index] <= threshold ? 0 : 255 }
}

/// Connected components (8-neighbourhood) of the pixels at or below a threshold.
private struct InkComponents {
    let width: Int
    let height: Int
    /// Component index + 1 per pixel, 0 for background.
    private(set) var labels: [Int32]
    /// Per component: pixel count, bounding box, whether it touches the cell's edge, whether it
    /// reaches the central window.
    private(set) var components: [Component] = []

    struct Component {
        var area = 0
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        var touchesEdge = false
        var reachesCentre = false
    }

    init(_ pixels: [UInt8], width: Int, height: Int, threshold: Int) {
        self.width = width
        self.height = height
        let count = width * height
        labels = [Int32](repeating: 0, count: count)
        let window = CentralWindow(width: width, height: height)
        let cut = UInt8(clamping: threshold)
        var stack: [Int] = []
        stack.reserveCapacity(count)
        var found: [Component] = []
        pixels.withUnsafeBufferPointer { pixels in
            labels.withUnsafeMutableBufferPointer { labels in
                for start in 0..<count where pixels[start] <= cut && labels[start] == 0 {
                    found.append(Component())
                    let label = Int32(found.count)
                    var component = Component()
                    labels[start] = label
                    stack.append(start)
                    while let index = stack.popLast() {
                        let x = index % width
                        let y = index / width
                        component.area += 1
                        component.minX = min(component.minX, x)
                        component.maxX = max(component.maxX, x)
                        component.minY = min(component.minY, y)
                        component.maxY = max(component.maxY, y)
                        if x == 0 || y == 0 || x == width - 1 || y == height - 1 {
                            component.touchesEdge = true
                        }
                        if window.contains(x: x, y: y) { component.reachesCentre = true }
                        for dy in -1...1 {
                            let ny = y + dy
                            if ny < 0 || ny >= height { continue }
                            for dx in -1...1 {
                                let nx = x + dx
                                if nx < 0 || nx >= width { continue }
                                let neighbour = ny * width + nx
                                if pixels[neighbour] <= cut && labels[neighbour] == 0 {
                                    labels[neighbour] = label
                                    stack.append(neighbour)
                                }
                            }
                        }
                    }
                    found[found.count - 1] = component
                }
            }
        }
        components = found
    }

    /// Which components are the digit: those that reach the centre, plus those away from the
    /// edge that are not specks. Falls back to everything when that leaves nothing (a cell
    /// with the digit off-centre).
    func componentsToKeep(window: CentralWindow) -> [Bool] {
        let speck = max(2, width * height / 300)
        var keep = components.map { component in
            component.reachesCentre || (!component.touchesEdge && component.area >= speck)
        }
        if !keep.contains(true) { keep = components.map { $0.area >= speck } }
        return keep
    }

    /// Paints the dropped components white.
    func erase(keeping keep: [Bool], in pixels: inout [UInt8]) {
        labels.withUnsafeBufferPointer { labels in
            pixels.withUnsafeMutableBufferPointer { pixels in
                for index in labels.indices where labels[index] != 0 && !keep[Int(labels[index]) - 1] {
                    pixels[index] = 255
                }
            }
        }
    }

    /// The bounding box of the kept components, nil when none is kept.
    func boundingBox(of keep: [Bool]) -> Box? {
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        for (index, component) in components.enumerated() where keep[index] {
            minX = min(minX, component.minX)
            minY = min(minY, component.minY)
            maxX = max(maxX, component.maxX)
            maxY = max(maxY, component.maxY)
        }
        guard maxX >= 0 else { return nil }
        return Box(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
    }
}

/// Filter taps for one output coordinate.
private struct Taps {
    var starts: [Int] = []
    var counts: [Int] = []
    var weights: [Float] = []
    var stride = 0

    /// Triangle filter widened by the reduction factor when shrinking (antialiased bilinear).
    init(sourceStart: Int, sourceLength: Int, outputLength: Int) {
        let scale = Double(sourceLength) / Double(outputLength)
        let support = max(1.0, scale)
        stride = Int(support.rounded(.up)) * 2 + 1
        starts = [Int](repeating: 0, count: outputLength)
        counts = [Int](repeating: 0, count: outputLength)
        weights = [Float](repeating: 0, count: outputLength * stride)
        for out in 0..<outputLength {
            let centre = (Double(out) + 0.5) * scale - 0.5
            let first = max(0, Int((centre - support).rounded(.down)) + 1)
            let last = min(sourceLength - 1, first + stride - 1, Int((centre + support).rounded(.up)) - 1)
            var total = 0.0
            if first <= last {
                for source in first...last {
                    let weight = max(0, 1 - abs(Double(source) - centre) / support)
                    weights[out * stride + source - first] = Float(weight)
                    total += weight
                }
            }
            if total <= 0 {
                // Outside the source (a degenerate size): the nearest pixel.
                starts[out] = sourceStart + min(sourceLength - 1, max(0, Int(centre.rounded())))
                counts[out] = 1
                weights[out * stride] = 1
                continue
            }
            starts[out] = sourceStart + first
            counts[out] = last - first + 1
            let scaleBack = Float(1 / total)
            for tap in 0..<counts[out] { weights[out * stride + tap] *= scaleBack }
        }
    }
}

/// Resamples the `box` of a gray image to `toWidth` × `height` (separable antialiased bilinear).
private func resample(_ pixels: [UInt8], width: Int, box: Box, toWidth outWidth: Int, height outHeight: Int)
    -> [UInt8]
{
    let horizontal = Taps(sourceStart: box.x, sourceLength: box.width, outputLength: outWidth)
    let vertical = Taps(sourceStart: box.y, sourceLength: box.height, outputLength: outHeight)
    var rows = [Float](repeating: 0, count: box.height * outWidth)
    pixels.withUnsafeBufferPointer { source in
        rows.withUnsafeMutableBufferPointer { rows in
            horizontal.weights.withUnsafeBufferPointer { weights in
                for y in 0..<box.height {
                    let sourceRow = (box.y + y) * width
                    for x in 0..<outWidth {
                        let start = sourceRow + horizontal.starts[x]
                        let base = x * horizontal.stride
                        var sum: Float = 0
                        for tap in 0..<horizontal.counts[x] {
                            sum += weights[base + tap] * Float(source[start + tap])
                        }
                        rows[y * outWidth + x] = sum
                    }
                }
            }
        }
    }
    return [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { out, initialized in
        rows.withUnsafeBufferPointer { rows in
            vertical.weights.withUnsafeBufferPointer { weights in
                for y in 0..<outHeight {
                    let first = vertical.starts[y] - box.y
                    let base = y * vertical.stride
                    for x in 0..<outWidth {
                        var sum: Float = 0
                        for tap in 0..<vertical.counts[y] {
                            sum += weights[base + tap] * rows[(first + tap) * outWidth + x]
                        }
                        out[y * outWidth + x] = UInt8(clamping: Int(sum + 0.5))
                    }
                }
            }
        }
        initialized = outWidth * outHeight
    }
}

/// Puts a white frame around a gray image: `border` pixels above and below, `sideBorder` left and right.
private func pad(_ pixels: [UInt8], width: Int, height: Int, border: Int, sideBorder: Int) -> Image {
    let outWidth = width + 2 * sideBorder
    let outHeight = height + 2 * border
    var out = [UInt8](repeating: 255, count: outWidth * outHeight)
    out.withUnsafeMutableBufferPointer { out in
        pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                let target = (y + border) * outWidth + sideBorder
                for x in 0..<width { out[target + x] = pixels[y * width + x] }
            }
        }
    }
    return Image(width: outWidth, height: outHeight, format: .gray, pixels: out)
}
