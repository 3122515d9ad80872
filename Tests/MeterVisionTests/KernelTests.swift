import Testing
import MeterImage
import MeterVision

/// Small synthetic pictures with answers known by construction.
@Suite("Image kernels")
struct KernelTests {
    /// A gray image from a closure.
    static func gray(_ width: Int, _ height: Int, _ value: (Int, Int) -> UInt8) -> Image {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height)
        for y in 0..<height { for x in 0..<width { pixels.append(value(x, y)) } }
        return Image(width: width, height: height, format: .gray, pixels: pixels)
    }

    @Test func grayAndRednessFromRGB() {
        let rgb = Image(width: 3, height: 1, format: .rgb, pixels: [200, 30, 30, 128, 128, 128, 30, 160, 40])
        let planes = ColorPlanes(rgb)
        #expect(planes.gray.pixels == [81, 128, 107])  // (77 R + 150 G + 29 B + 128) >> 8
        #expect(planes.redness.pixels == [255, 0, 0])
    }

    /// A grid over a ramp: straight and unscaled it copies pixels; a step of 2 takes every
    /// other one; a quarter turn reads the source's columns as rows; RGB gives gray and redness.
    @Test func samplingGridCutsStraightScaledAndTurned() {
        let ramp = Self.gray(8, 6) { x, y in UInt8(10 * x + y) }
        // Pixel centres: the source's pixel (x, y) sits at (x, y) in grid coordinates.
        let straight = ColorPlanes.sampled(
            from: ramp, width: 3, height: 2, grid: SamplingGrid(origin: (2, 1), across: (1, 0), down: (0, 1)))
        #expect(straight.gray.pixels == [21, 31, 41, 22, 32, 42])
        #expect(straight.redness.pixels.allSatisfy { $0 == 0 })
        let halved = ColorPlanes.sampled(
            from: ramp, width: 3, height: 2, grid: SamplingGrid(origin: (0, 0), across: (2, 0), down: (0, 2)))
        #expect(halved.gray.pixels == [0, 20, 40, 2, 22, 42])
        let turned = SamplingGrid.rotated(center: Point(x: 3.5, y: 3.5), angle: .pi / 2, step: 1, width: 2, height: 2)
        let column = ColorPlanes.sampled(from: ramp, width: 2, height: 2, grid: turned)
        // A quarter turn: the result's rows run down the source's columns, from right to left.
        #expect(column.gray.pixels == [43, 44, 33, 34])
        let rgb = Image(width: 2, height: 1, format: .rgb, pixels: [200, 30, 30, 128, 128, 128])
        let colour = ColorPlanes.sampled(
            from: rgb, width: 3, height: 1, grid: SamplingGrid(origin: (0, 0), across: (0.5, 0), down: (0, 1)))
        #expect(colour.gray.pixels == [81, 105, 128] && colour.redness.pixels == [255, 170, 0])
        // Gray alone, from RGB or gray, is the same as the planes' gray.
        let colourGrid = SamplingGrid(origin: (0, 0), across: (0.5, 0), down: (0, 1))
        #expect(rgb.sampledGray(width: 3, height: 1, grid: colourGrid) == colour.gray)
        #expect(ramp.sampledGray(width: 2, height: 2, grid: turned) == column.gray)
    }

    /// Measured white balance: a warm white (255, 225, 180) is 105 "red" by 2·R − G − B but 0
    /// once its brightest tenth is made gray, while a red drum's colour stays clearly red.
    @Test func sampledRednessAfterTheSamplesWhite() {
        var pixels: [UInt8] = []
        for index in 0..<20 { pixels += index < 16 ? [255, 225, 180] : [200, 40, 30] }
        let warm = Image(width: 20, height: 1, format: .rgb, pixels: pixels)
        let grid = SamplingGrid(origin: (0, 0), across: (1, 0), down: (0, 1))
        let plain = ColorPlanes.sampled(from: warm, width: 20, height: 1, grid: grid)
        #expect(plain.redness.pixels[0] == 105 && plain.whiteBalance == .neutral)
        let balanced = ColorPlanes.sampled(from: warm, width: 20, height: 1, grid: grid, whiteBalance: nil)
        #expect(balanced.redness.pixels[0] == 0 && balanced.redness.pixels[19] > 150)
        #expect(balanced.whiteBalance.red < 1 && balanced.whiteBalance.blue > 1)
        // Given a balance, the sample is measured with it instead of its own white.
        let given = ColorPlanes.sampled(
            from: warm, width: 20, height: 1, grid: grid, whiteBalance: balanced.whiteBalance)
        #expect(given.redness == balanced.redness)
    }

    @Test func integralImageBoxStatistics() {
        let image = Self.gray(7, 5) { x, y in UInt8(x + 10 * y) }
        let table = IntegralImage(image)
        let box = table.boxStatistics(x0: 2, y0: 1, x1: 5, y1: 4)
        var sum = 0.0
        var squares = 0.0
        for y in 1..<4 { for x in 2..<5 { let v = Double(x + 10 * y); sum += v; squares += v * v } }
        #expect(box.count == 9 && box.sum == sum && box.squares == squares)
        // Clipped at the borders.
        #expect(table.boxStatistics(x0: -3, y0: -3, x1: 1, y1: 1).count == 1)
        #expect(table.boxStatistics(x0: 9, y0: 0, x1: 12, y1: 2).count == 0)
    }

    @Test func otsuSplitsTwoPopulations() {
        var histogram = [Int](repeating: 0, count: 256)
        histogram[40] = 500
        histogram[45] = 300
        histogram[200] = 400
        histogram[210] = 100
        let level = Threshold.otsu(histogram)
        #expect(level >= 45 && level < 200)
    }

    @Test func sauvolaFindsDarkAndLightInkUnderAGradient() {
        // A dark bar and a light bar on a background that brightens left to right.
        let image = Self.gray(120, 40) { x, y in
            let background = 90 + x
            if (20..<26).contains(x), (10..<30).contains(y) { return UInt8(background - 70) }
            if (80..<86).contains(x), (10..<30).contains(y) { return UInt8(min(255, background + 60)) }
            return UInt8(background)
        }
        let dark = Threshold.sauvola(image, radius: 10, darkInk: true)
        let light = Threshold.sauvola(image, radius: 10, darkInk: false)
        #expect(dark[22, 20].first == 255 && dark[83, 20].first == 0 && dark[50, 5].first == 0)
        #expect(light[83, 20].first == 255 && light[22, 20].first == 0 && light[50, 5].first == 0)
    }

    @Test func componentsAreEightConnected() {
        // Two diagonal-touching pixels form one blob; a separate 2×3 block forms another.
        let image = Self.gray(10, 6) { x, y in
            if (x == 1 && y == 1) || (x == 2 && y == 2) { return 255 }
            if (5...6).contains(x), (2...4).contains(y) { return 255 }
            return 0
        }
        let blobs = Components.blobs(in: image).sorted { $0.minX < $1.minX }
        #expect(blobs.count == 2)
        #expect(blobs[0] == Blob(minX: 1, minY: 1, maxX: 2, maxY: 2, area: 2))
        #expect(blobs[1] == Blob(minX: 5, minY: 2, maxX: 6, maxY: 4, area: 6))
    }

    @Test func componentsMergeUShapes() {
        // A "U": both arms meet only at the bottom row, after both got labels of their own.
        let image = Self.gray(7, 5) { x, y in (x == 1 || x == 5 || y == 4) && x >= 1 && x <= 5 ? 255 : 0 }
        let blobs = Components.blobs(in: image)
        #expect(blobs.count == 1 && blobs[0].area == 5 + 5 + 3)
    }

    @Test func downscaleAveragesBlocks() {
        let image = Self.gray(4, 2) { x, _ in x < 2 ? 10 : 30 }
        #expect(image.downscaled(by: 2).pixels == [10, 30])
    }

    @Test func resizeKeepsFlatImagesFlat() {
        let image = Self.gray(13, 7) { _, _ in 77 }
        let resized = image.resized(width: 40, height: 3)
        #expect(resized.width == 40 && resized.height == 3 && resized.pixels.allSatisfy { $0 == 77 })
    }

    @Test func cropRepeatsEdges() {
        let image = Self.gray(3, 3) { x, y in UInt8(x + 3 * y) }
        #expect(image.cropped(x: -1, y: -1, width: 2, height: 2).pixels == [0, 0, 0, 0])
        #expect(image.cropped(x: 1, y: 1, width: 2, height: 2).pixels == [4, 5, 7, 8])
    }
}

@Suite("Locating picture from RGB")
struct GrayDownscaleTests {
    @Test(arguments: [2, 3])
    func matchesLuminanceOfBlockAverages(_ factor: Int) {
        let width = 13
        let height = 9
        var rgb: [UInt8] = []
        for index in 0..<(width * height) {
            rgb += [UInt8(index % 251), UInt8((index * 7) % 253), UInt8((index * 13) % 255)]
        }
        let image = Image(width: width, height: height, format: .rgb, pixels: rgb)
        let small = image.grayDownscaled(by: factor)
        #expect(small.width == width / factor && small.height == height / factor)
        for y in 0..<small.height {
            for x in 0..<small.width {
                var sum = 0.0
                for dy in 0..<factor {
                    for dx in 0..<factor {
                        let p = Array(image[x * factor + dx, y * factor + dy])
                        sum += (77 * Double(p[0]) + 150 * Double(p[1]) + 29 * Double(p[2])) / 256
                    }
                }
                let expected = sum / Double(factor * factor)
                #expect(abs(Double(small[x, y].first!) - expected) <= 1)
            }
        }
    }
}

@Suite("Sharpness")
struct SharpnessTests {
    @Test func blurredEdgesMeasureLowerThanSharpOnes() {
        // The same bar pattern, once with hard edges and once smeared over 12 pixels.
        let sharp = KernelTests.gray(120, 40) { x, _ in (x / 20) % 2 == 0 ? 40 : 210 }
        let soft = KernelTests.gray(120, 40) { x, _ in
            let phase = Double(x % 40) / 40
            let ramp = min(1, max(0, (abs(phase - 0.5) * 40 - 4) / 12))
            return UInt8(40 + 170 * ramp)
        }
        #expect(Sharpness.edgeRatio(sharp)! > 1)
        #expect(Sharpness.edgeRatio(soft)! < 0.35)
        #expect(Sharpness.edgeRatio(Image(width: 10, height: 10, format: .gray, filledWith: 90)) == nil)
    }

    /// The vectorised measure, which skips smooth runs on its first pass, equals the plain
    /// per-pixel one: on noise, on a smooth picture with a few edges, and on a soft picture
    /// whose percentile lies under the skipped strengths (the exact second pass); widths that
    /// are not a multiple of the 16 lanes included.
    @Test(arguments: [(37, 23), (160, 50), (203, 31)])
    func vectorisedRatioEqualsThePlainOne(width: Int, height: Int) throws {
        func plain(_ image: Image) -> Double? {
            var counts = [Int](repeating: 0, count: 256)
            var values: [Double] = []
            for y in 0..<(image.height - 1) {
                for x in 0..<(image.width - 1) {
                    let value = Int(image[x, y].first!)
                    let dx = abs(Int(image[x + 1, y].first!) - value)
                    let dy = abs(Int(image[x, y + 1].first!) - value)
                    counts[max(dx, dy)] += 1
                    values.append(Double(value))
                }
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let deviation = max(0, values.map { $0 * $0 }.reduce(0, +) / Double(values.count) - mean * mean).squareRoot()
            guard deviation >= 2 else { return nil }
            var remaining = Int(Double(values.count) * 0.005)
            var level = 255
            while level > 0, remaining >= counts[level] {
                remaining -= counts[level]
                level -= 1
            }
            return Double(level) / deviation
        }
        var state = UInt64(width * 1000 + height)
        let noise = KernelTests.gray(width, height) { _, _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let edges = KernelTests.gray(width, height) { x, y in x == width / 3 || y == height / 2 ? 20 : UInt8(100 + x % 7) }
        // Steps of at most 2 levels: every edge is under the first pass's 16.
        let soft = KernelTests.gray(width, height) { x, y in UInt8(40 + x * 150 / width + y * 40 / height) }
        for image in [noise, edges, soft] {
            let expected = try #require(plain(image))
            let measured = try #require(Sharpness.edgeRatio(image))
            #expect(abs(measured - expected) < 1e-9)
        }
    }
}

/// The vectorised interior of Sauvola must agree bit for bit with the plain per-pixel rule.
@Suite struct SauvolaVectorTests {
    /// The rule written out once, pixel by pixel, with the same Float operations.
    static func reference(_ image: Image, radius: Int, k: Float = 0.3, minimumContrast: Float = 8)
        -> (dark: [UInt8], light: [UInt8])
    {
        let width = image.width
        let height = image.height
        var dark = [UInt8](repeating: 0, count: width * height)
        var light = dark
        for y in 0..<height {
            for x in 0..<width {
                let x0 = max(0, x - radius), x1 = min(width, x + radius + 1)
                let y0 = max(0, y - radius), y1 = min(height, y + radius + 1)
                var sum: UInt32 = 0
                var square: UInt32 = 0
                for yy in y0..<y1 {
                    for xx in x0..<x1 {
                        let value = UInt32(image.pixels[yy * width + xx])
                        sum &+= value
                        square &+= value &* value
                    }
                }
                let n = Float(y1 - y0) * Float(x1 - x0)
                let mean = Float(sum) / n
                let variance = Float(square) / n - mean * mean
                if variance < minimumContrast * minimumContrast { continue }
                let factor = 1 + k * (variance.squareRoot() / 128 - 1)
                let value = Float(image.pixels[y * width + x])
                if value < mean * factor { dark[y * width + x] = 255 }
                if 255 - value < (255 - mean) * factor { light[y * width + x] = 255 }
            }
        }
        return (dark, light)
    }

    @Test(arguments: [(37, 23, 3), (64, 9, 5), (8, 8, 1), (101, 40, 12), (20, 30, 9)])
    func agreesWithThePerPixelRule(_ width: Int, _ height: Int, _ radius: Int) {
        var generator = SystemRandomNumberGenerator()
        // Blobs on noise: both flat and textured windows.
        let pixels = (0..<(width * height)).map { index -> UInt8 in
            let x = index % width, y = index / width
            let base: Int = ((x / 7 + y / 5) % 3 == 0) ? 40 : 200
            return UInt8(clamping: base + Int.random(in: -12...12, using: &generator))
        }
        let image = Image(width: width, height: height, format: .gray, pixels: pixels)
        let fast = Threshold.sauvolaBothPolarities(image, radius: radius, k: 0.3, minimumContrast: 8)
        let slow = Self.reference(image, radius: radius)
        #expect(fast.dark.pixels == slow.dark)
        #expect(fast.light.pixels == slow.light)
        // The faint pass is the dark pass at its own sensitivity, from the same statistics.
        let passes = Threshold.sauvolaPasses(image, radius: radius, k: 0.3, faintK: 0.1, minimumContrast: 8)
        #expect(passes.dark.pixels == slow.dark && passes.light.pixels == slow.light)
        #expect(passes.faintDark?.pixels == Self.reference(image, radius: radius, k: 0.1).dark)
        #expect(Threshold.sauvolaPasses(image, radius: radius, k: 0.3).faintDark == nil)
    }
}
