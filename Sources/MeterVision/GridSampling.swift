public import MeterImage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the pixels of a resampled picture lie in its source, for a straight (rotated, scaled)
/// cut: pixel (x, y) of the result is the source at `origin + x·across + y·down`, in source
/// pixel coordinates.
public struct SamplingGrid: Sendable {
    /// Source position of the result's pixel (0, 0).
    public var origin: (x: Double, y: Double)
    /// Source step for one pixel to the right in the result.
    public var across: (x: Double, y: Double)
    /// Source step for one pixel down in the result.
    public var down: (x: Double, y: Double)

    /// A grid from its origin and steps.
    public init(origin: (x: Double, y: Double), across: (x: Double, y: Double), down: (x: Double, y: Double)) {
        self.origin = origin
        self.across = across
        self.down = down
    }

    /// A `width`×`height` cut centred on `center`, turned by `angle` (radians), with `step`
    /// source pixels per result pixel.
    public static func rotated(center: Point, angle: Double, step: Double, width: Int, height: Int) -> SamplingGrid {
        let (cosine, sine) = (cos(angle) * step, sin(angle) * step)
        let (halfWidth, halfHeight) = (Double(width) / 2, Double(height) / 2)
        // The result's pixel x covers x…x+1: its centre, x + 0.5, is what maps into the source.
        let origin = (
            x: center.x + (0.5 - halfWidth) * cosine - (0.5 - halfHeight) * sine,
            y: center.y + (0.5 - halfWidth) * sine + (0.5 - halfHeight) * cosine
        )
        return SamplingGrid(origin: origin, across: (cosine, sine), down: (-sine, cosine))
    }
}

extension ColorPlanes {
    /// Gray and redness of `image` (gray or RGB) resampled bilinearly along `grid`. Only the
    /// pixels asked for are converted, so cutting a counter strip out of a full photo never
    /// converts the whole photo. A grid that steps over several source pixels skips some: the
    /// extractor keeps steps small (`CounterExtractor.maxStripDigitHeight`), where strokes and
    /// points are still several pixels wide. Redness is measured after `whiteBalance`; `nil`
    /// measures it from the sample's own white (`WhiteBalance.measured`).
    public static func sampled(
        from image: Image, width newWidth: Int, height newHeight: Int, grid: SamplingGrid,
        whiteBalance: WhiteBalance? = .neutral
    ) -> ColorPlanes {
        let count = newWidth * newHeight
        var gray = [UInt8](repeating: 0, count: count)
        var red = [UInt8](repeating: 0, count: count)
        guard image.format == .rgb else {
            return ColorPlanes(
                gray: image.sampledGray(width: newWidth, height: newHeight, grid: grid),
                redness: Image(width: newWidth, height: newHeight, format: .gray, pixels: red))
        }
        let bilinear = BilinearGrid(width: image.width, height: image.height)
        // The channels are kept until the white is known: redness needs them balanced.
        var channels = [Float](repeating: 0, count: 3 * count)
        image.pixels.withUnsafeBufferPointer { source in
            gray.withUnsafeMutableBufferPointer { grayOut in
                channels.withUnsafeMutableBufferPointer { rgb in
                    grid.forEachTap(width: newWidth, height: newHeight, bilinear: bilinear) { index, tap in
                        let r = tap.blend { Float(source[3 * $0]) }
                        let g = tap.blend { Float(source[3 * $0 + 1]) }
                        let b = tap.blend { Float(source[3 * $0 + 2]) }
                        (rgb[3 * index], rgb[3 * index + 1], rgb[3 * index + 2]) = (r, g, b)
                        grayOut[index] = luminance(r, g, b)
                    }
                }
            }
        }
        let balance = whiteBalance ?? WhiteBalance.measured(channels: channels, gray: gray)
        channels.withUnsafeBufferPointer { rgb in
            red.withUnsafeMutableBufferPointer { redOut in
                for index in 0..<count {
                    let dominance = 2 * balance.red * rgb[3 * index] - balance.green * rgb[3 * index + 1]
                        - balance.blue * rgb[3 * index + 2]
                    redOut[index] = UInt8(min(255, max(0, dominance)))
                }
            }
        }
        var planes = ColorPlanes(
            gray: Image(width: newWidth, height: newHeight, format: .gray, pixels: gray),
            redness: Image(width: newWidth, height: newHeight, format: .gray, pixels: red))
        planes.whiteBalance = balance
        return planes
    }
}

extension Image {
    /// Gray of this image (gray or RGB) resampled bilinearly along `grid`, as
    /// `ColorPlanes.sampled` gives it, without the colour planes: for a search that needs
    /// no redness.
    public func sampledGray(width newWidth: Int, height newHeight: Int, grid: SamplingGrid) -> Image {
        var gray = [UInt8](repeating: 0, count: newWidth * newHeight)
        let bilinear = BilinearGrid(width: width, height: height)
        let isRGB = format == .rgb
        pixels.withUnsafeBufferPointer { source in
            gray.withUnsafeMutableBufferPointer { grayOut in
                grid.forEachTap(width: newWidth, height: newHeight, bilinear: bilinear) { index, tap in
                    grayOut[index] = isRGB
                        ? luminance(
                            tap.blend { Float(source[3 * $0]) }, tap.blend { Float(source[3 * $0 + 1]) },
                            tap.blend { Float(source[3 * $0 + 2]) })
                        : UInt8(min(255, tap.blend { Float(source[$0]) } + 0.5))
                }
            }
        }
        return Image(width: newWidth, height: newHeight, format: .gray, pixels: gray)
    }
}

/// BT.601 luminance of blended channel values, rounded (libjpeg's gray weights).
@inline(__always)
private func luminance(_ r: Float, _ g: Float, _ b: Float) -> UInt8 {
    UInt8(min(255, (r * 77 + g * 150 + b * 29) / 256 + 0.5))
}

extension SamplingGrid {
    /// Calls `body` with each result pixel's index and its bilinear tap, row by row.
    @inline(__always)
    func forEachTap(width: Int, height: Int, bilinear: BilinearGrid, _ body: (Int, BilinearGrid.Tap) -> Void) {
        for y in 0..<height {
            for x in 0..<width {
                let (u, v) = (Double(x), Double(y))
                let tap = bilinear.tap(
                    (Float(origin.x + u * across.x + v * down.x), Float(origin.y + u * across.y + v * down.y)))
                body(y * width + x, tap)
            }
        }
    }
}
