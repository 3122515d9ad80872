public import MeterImage

/// Global and adaptive binarisation. Binary images are gray images holding 0 (background)
/// and 255 (foreground, i.e. ink).
public enum Threshold {
    /// Histogram of a gray image.
    public static func histogram(_ image: Image) -> [Int] {
        precondition(image.format == .gray, "histogram takes a gray image")
        var counts = [Int](repeating: 0, count: 256)
        image.pixels.withUnsafeBufferPointer { pixels in
            for value in pixels { counts[Int(value)] += 1 }
        }
        return counts
    }

    /// Otsu's threshold: the level that best separates the histogram into two classes;
    /// pixels `<=` the level form the dark class.
    public static func otsu(_ histogram: [Int]) -> UInt8 {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return 127 }
        var weightedTotal = 0.0
        for (level, count) in histogram.enumerated() { weightedTotal += Double(level * count) }
        var darkCount = 0
        var darkSum = 0.0
        var best = 0.0
        var bestLevel = 127
        for level in 0..<255 {
            darkCount += histogram[level]
            if darkCount == 0 { continue }
            let lightCount = total - darkCount
            if lightCount == 0 { break }
            darkSum += Double(level * histogram[level])
            let darkMean = darkSum / Double(darkCount)
            let lightMean = (weightedTotal - darkSum) / Double(lightCount)
            let between = Double(darkCount) * Double(lightCount) * (darkMean - lightMean) * (darkMean - lightMean)
            if between > best {
                best = between
                bestLevel = level
            }
        }
        return UInt8(bestLevel)
    }

    /// The mean levels of the dark class (`<=` `level`) and the light class of a histogram;
    /// nil when either class is empty.
    public static func classMeans(_ histogram: [Int], level: UInt8) -> (dark: Double, light: Double)? {
        var (darkSum, darkCount, lightSum, lightCount) = (0, 0, 0, 0)
        for (value, count) in histogram.enumerated() {
            if value <= Int(level) {
                darkSum += value * count
                darkCount += count
            } else {
                lightSum += value * count
                lightCount += count
            }
        }
        guard darkCount > 0, lightCount > 0 else { return nil }
        return (Double(darkSum) / Double(darkCount), Double(lightSum) / Double(lightCount))
    }

    /// Sauvola's adaptive threshold: a pixel is ink when it is darker than
    /// `mean · (1 + k · (std / 128 − 1))` of the window around it. With `darkInk == false`
    /// the image is treated as inverted (light ink on a dark ground). Flat windows whose
    /// standard deviation is below `minimumContrast` are background, so noise in plain areas
    /// does not become ink.
    public static func sauvola(
        _ image: Image, integral: IntegralImage? = nil, radius: Int, k: Double = 0.3,
        darkInk: Bool = true, minimumContrast: Double = 8
    ) -> Image {
        let both = sauvolaBothPolarities(
            image, integral: integral, radius: radius, k: k, minimumContrast: minimumContrast)
        return darkInk ? both.dark : both.light
    }

    /// Sauvola in both polarities at once: the window statistics are shared, so the second
    /// polarity costs one comparison per pixel.
    public static func sauvolaBothPolarities(
        _ image: Image, integral: IntegralImage? = nil, radius: Int, k: Double = 0.3,
        minimumContrast: Double = 8
    ) -> (dark: Image, light: Image) {
        let passes = sauvolaPasses(image, integral: integral, radius: radius, k: k, minimumContrast: minimumContrast)
        return (passes.dark, passes.light)
    }

    /// `sauvolaBothPolarities`, plus a dark-ink pass at a second sensitivity `faintK` when
    /// given (faint ink: embossed digits), from the same window statistics.
    public static func sauvolaPasses(
        _ image: Image, integral: IntegralImage? = nil, radius: Int, k: Double = 0.3, faintK: Double? = nil,
        minimumContrast: Double = 8
    ) -> (dark: Image, light: Image, faintDark: Image?) {
        precondition(image.format == .gray, "sauvola takes a gray image")
        precondition(radius <= 128, "window too large for the 32-bit squares table")
        let table = integral ?? IntegralImage(image)
        let width = image.width
        let height = image.height
        let stride = width + 1
        var dark = [UInt8](repeating: 0, count: width * height)
        var light = [UInt8](repeating: 0, count: width * height)
        var faint = [UInt8](repeating: 0, count: faintK == nil ? 0 : width * height)
        let faintK = faintK.map { Float($0) }
        let minimumVariance = Float(minimumContrast * minimumContrast)
        let k = Float(k)
        // Clipped window columns per x, computed once.
        let lefts = (0..<width).map { max(0, $0 - radius) }
        let rights = (0..<width).map { min(width, $0 + radius + 1) }
        image.pixels.withUnsafeBufferPointer { input in
            table.sums.withUnsafeBufferPointer { sums in
                table.squares.withUnsafeBufferPointer { squares in
                    dark.withUnsafeMutableBufferPointer { dark in
                        light.withUnsafeMutableBufferPointer { light in
                            faint.withUnsafeMutableBufferPointer { faint in
                                // Columns whose window lies wholly inside the picture: the
                                // window width is constant there, so eight go at once.
                                let interiorStart = min(radius, width)
                                let interiorEnd = max(interiorStart, width - radius - 1)
                                for y in 0..<height {
                                    let top = max(0, y - radius) * stride
                                    let bottom = min(height, y + radius + 1) * stride
                                    let rows = Float(min(height, y + radius + 1) - max(0, y - radius))
                                    var x = 0
                                    func scalar(_ x: Int) {
                                        let left = lefts[x]
                                        let right = rights[x]
                                        let sum = sums[bottom + right] &- sums[top + right] &- sums[bottom + left]
                                            &+ sums[top + left]
                                        let square = squares[bottom + right] &- squares[top + right]
                                            &- squares[bottom + left] &+ squares[top + left]
                                        let n = rows * Float(right - left)
                                        let mean = Float(sum) / n
                                        let variance = Float(square) / n - mean * mean
                                        if variance < minimumVariance { return }
                                        let contrast = variance.squareRoot() / 128 - 1
                                        let factor = 1 + k * contrast
                                        let value = Float(input[y * width + x])
                                        if value < mean * factor { dark[y * width + x] = 255 }
                                        if 255 - value < (255 - mean) * factor { light[y * width + x] = 255 }
                                        if let faintK, value < mean * (1 + faintK * contrast) {
                                            faint[y * width + x] = 255
                                        }
                                    }
                                    while x < interiorStart {
                                        scalar(x)
                                        x += 1
                                    }
                                    let n = SIMD8<Float>(repeating: rows * Float(2 * radius + 1))
                                    while x + 8 <= interiorEnd {
                                        let left = x - radius
                                        let right = x + radius + 1
                                        let sum = Self.load8(sums, bottom + right) &- Self.load8(sums, top + right)
                                            &- Self.load8(sums, bottom + left) &+ Self.load8(sums, top + left)
                                        let square = Self.load8(squares, bottom + right) &- Self.load8(squares, top + right)
                                            &- Self.load8(squares, bottom + left) &+ Self.load8(squares, top + left)
                                        // The same operations in the same order as `scalar`, lane by
                                        // lane: the same IEEE results, so both paths agree exactly.
                                        let mean = SIMD8<Float>(sum) / n
                                        let variance = SIMD8<Float>(square) / n - mean * mean
                                        let flat = variance .< SIMD8<Float>(repeating: minimumVariance)
                                        let contrast = variance.squareRoot() / 128 - 1
                                        let factor = 1 + k * contrast
                                        let index = y * width + x
                                        let values = SIMD8<Float>(
                                            UnsafeRawPointer(input.baseAddress! + index).loadUnaligned(as: SIMD8<UInt8>.self))
                                        let darkInk = (values .< mean * factor) .& .!flat
                                        let lightInk = ((255 - values) .< (255 - mean) * factor) .& .!flat
                                        Self.store(darkInk, into: dark, at: index)
                                        Self.store(lightInk, into: light, at: index)
                                        if let faintK {
                                            let faintInk = (values .< mean * (1 + faintK * contrast)) .& .!flat
                                            Self.store(faintInk, into: faint, at: index)
                                        }
                                        x += 8
                                    }
                                    while x < width {
                                        scalar(x)
                                        x += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (
            Image(width: width, height: height, format: .gray, pixels: dark),
            Image(width: width, height: height, format: .gray, pixels: light),
            faintK == nil ? nil : Image(width: width, height: height, format: .gray, pixels: faint)
        )
    }

    /// Writes 255 where `ink` holds and 0 elsewhere into eight bytes of `binary` from `index`.
    @inline(__always)
    static func store(_ ink: SIMDMask<SIMD8<Int32>>, into binary: UnsafeMutableBufferPointer<UInt8>, at index: Int) {
        let bytes = SIMD8<UInt8>(truncatingIfNeeded: SIMD8<Int32>(repeating: 0).replacing(with: 255, where: ink))
        UnsafeMutableRawPointer(binary.baseAddress! + index).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
    }

    /// Eight consecutive table entries from `offset`.
    @inline(__always)
    static func load8(_ table: UnsafeBufferPointer<UInt32>, _ offset: Int) -> SIMD8<UInt32> {
        UnsafeRawPointer(table.baseAddress! + offset).loadUnaligned(as: SIMD8<UInt32>.self)
    }

    /// Pixels darker than or equal to `level` become ink (255), the rest background (0).
    public static func binarize(_ image: Image, level: UInt8, darkInk: Bool = true) -> Image {
        precondition(image.format == .gray, "binarize takes a gray image")
        var output = image
        output.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices {
                let dark = pixels[index] <= level
                pixels[index] = dark == darkInk ? 255 : 0
            }
        }
        return output
    }
}
