public import MeterImage

/// Gray and "redness" planes of a picture: redness tells red fraction drums and red frames
/// apart from black and white ones, which gray alone cannot.
public struct ColorPlanes: Sendable {
    /// Luminance (BT.601 weights, as libjpeg's gray output).
    public var gray: Image
    /// How much red dominates green and blue: 2·R − G − B clamped to 0…255 (0 for grays).
    public var redness: Image
    /// The channel gains redness was measured after (neutral unless the planes were sampled
    /// with a white balance).
    public var whiteBalance = WhiteBalance.neutral

    /// Splits an RGB picture; a gray picture gets an all-zero redness plane.
    public init(_ image: Image) {
        let count = image.width * image.height
        if image.format == .gray {
            gray = image
            redness = Image(width: image.width, height: image.height, format: .gray, filledWith: 0)
            return
        }
        var grayPixels = [UInt8](repeating: 0, count: count)
        var redPixels = [UInt8](repeating: 0, count: count)
        image.pixels.withUnsafeBufferPointer { rgb in
            grayPixels.withUnsafeMutableBufferPointer { gray in
                redPixels.withUnsafeMutableBufferPointer { red in
                    for index in 0..<count {
                        let r = Int32(rgb[3 * index])
                        let g = Int32(rgb[3 * index + 1])
                        let b = Int32(rgb[3 * index + 2])
                        gray[index] = UInt8(truncatingIfNeeded: (r * 77 + g * 150 + b * 29 + 128) >> 8)
                        let dominance = 2 * r - g - b
                        red[index] = UInt8(truncatingIfNeeded: min(max(dominance, 0), 255))
                    }
                }
            }
        }
        gray = Image(width: image.width, height: image.height, format: .gray, pixels: grayPixels)
        redness = Image(width: image.width, height: image.height, format: .gray, pixels: redPixels)
    }
}

extension ColorPlanes {
    /// Planes from ready-made gray and redness images of the same size.
    public init(gray: Image, redness: Image) {
        precondition(gray.width == redness.width && gray.height == redness.height, "plane sizes differ")
        self.gray = gray
        self.redness = redness
    }
}

/// Channel gains that make a picture's white neutral. Warm indoor light gives white paper
/// 2·R − G − B near the level that marks a red drum, and blur mixes it into every window: the
/// black drums of such a photo came out nearly as red as its red ones.
public struct WhiteBalance: Sendable, Equatable {
    /// Gain on the red channel.
    public var red: Float
    /// Gain on the green channel.
    public var green: Float
    /// Gain on the blue channel.
    public var blue: Float

    /// No correction.
    public static let neutral = WhiteBalance(red: 1, green: 1, blue: 1)
    /// Share of the brightest pixels taken as the picture's white.
    static let whiteShare = 0.1
    /// Gray level below which the brightest pixels are too dark to say what white is.
    static let darkestWhite: Float = 60
    /// Largest correction of one channel: a cast stronger than this is more likely a coloured
    /// surface filling the picture (a red panel) than light.
    static let largestGain: Float = 1.3

    /// Gains from the channel values given.
    public init(red: Float, green: Float, blue: Float) {
        (self.red, self.green, self.blue) = (red, green, blue)
    }

    /// Gains that make the mean colour of the brightest tenth of the pixels gray. `channels`
    /// holds R, G, B per pixel; `gray` the pixels' luminance.
    static func measured(channels: [Float], gray: [UInt8]) -> WhiteBalance {
        var histogram = [Int](repeating: 0, count: 256)
        for level in gray { histogram[Int(level)] += 1 }
        let wanted = max(1, Int(Double(gray.count) * whiteShare))
        var level = 255
        var taken = histogram[255]
        while level > 0, taken < wanted {
            level -= 1
            taken += histogram[level]
        }
        guard Float(level) >= darkestWhite else { return .neutral }
        var sums: (Float, Float, Float) = (0, 0, 0)
        var count: Float = 0
        for index in gray.indices where Int(gray[index]) >= level {
            sums.0 += channels[3 * index]
            sums.1 += channels[3 * index + 1]
            sums.2 += channels[3 * index + 2]
            count += 1
        }
        let mean = (sums.0 / count, sums.1 / count, sums.2 / count)
        let white = (mean.0 + mean.1 + mean.2) / 3
        func gain(_ channel: Float) -> Float { min(largestGain, max(1 / largestGain, white / max(channel, 1))) }
        return WhiteBalance(red: gain(mean.0), green: gain(mean.1), blue: gain(mean.2))
    }
}

extension Image {
    /// Luminance averaged over `factor`×`factor` blocks, straight from gray or RGB pixels: the
    /// locating picture without converting the full-size photo first.
    public func grayDownscaled(by factor: Int) -> Image {
        if format == .gray { return downscaled(by: factor) }
        precondition(factor >= 1, "factor must be positive")
        if factor == 2 { return grayHalved() }
        // Photos up to ~1350 px are located at full size: a plain conversion, same rounding.
        if factor == 1 { return grayscale() }
        let outWidth = width / factor
        let outHeight = height / factor
        let sourceWidth = width
        let area = UInt32(factor * factor) * 256
        let sums = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(1, outWidth))
        defer { sums.deallocate() }
        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { output, count in
            self.pixels.withUnsafeBufferPointer { rgb in
                for y in 0..<outHeight {
                    for x in 0..<outWidth { sums[x] = 0 }
                    for row in (y * factor)..<(y * factor + factor) {
                        let base = row * sourceWidth * 3
                        var index = base
                        for x in 0..<outWidth {
                            var sum: UInt32 = 0
                            for _ in 0..<factor {
                                sum &+= UInt32(rgb[index]) &* 77 &+ UInt32(rgb[index + 1]) &* 150
                                    &+ UInt32(rgb[index + 2]) &* 29
                                index += 3
                            }
                            sums[x] &+= sum
                        }
                    }
                    for x in 0..<outWidth {
                        output[y * outWidth + x] = UInt8(truncatingIfNeeded: (sums[x] + area / 2) / area)
                    }
                }
            }
            count = outWidth * outHeight
        }
        return Image(width: outWidth, height: outHeight, format: .gray, pixels: pixels)
    }

    /// The common case of `grayDownscaled(by: 2)` (a 1600×1200 photo located at 800×600): two
    /// source rows at a time, channel sums per 2×2 block, one luminance per block.
    private func grayHalved() -> Image {
        let outWidth = width / 2
        let outHeight = height / 2
        let rowBytes = width * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { output, count in
            self.pixels.withUnsafeBufferPointer { rgb in
                guard let base = rgb.baseAddress, let out = output.baseAddress else { return }
                for y in 0..<outHeight {
                    let top = base + 2 * y * rowBytes
                    let bottom = top + rowBytes
                    let line = out + y * outWidth
                    for x in 0..<outWidth {
                        let i = 6 * x
                        let r = UInt32(top[i]) + UInt32(top[i + 3]) + UInt32(bottom[i]) + UInt32(bottom[i + 3])
                        let g = UInt32(top[i + 1]) + UInt32(top[i + 4]) + UInt32(bottom[i + 1]) + UInt32(bottom[i + 4])
                        let b = UInt32(top[i + 2]) + UInt32(top[i + 5]) + UInt32(bottom[i + 2]) + UInt32(bottom[i + 5])
                        line[x] = UInt8(truncatingIfNeeded: (r &* 77 &+ g &* 150 &+ b &* 29 &+ 512) >> 10)
                    }
                }
            }
            count = outWidth * outHeight
        }
        return Image(width: outWidth, height: outHeight, format: .gray, pixels: pixels)
    }
}
