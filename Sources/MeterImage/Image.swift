/// How the bytes of one pixel are laid out in an `Image`.
public enum PixelFormat: String, Sendable, Hashable, Codable {
    /// One byte per pixel, 0 = black.
    case gray
    /// Three bytes per pixel: red, green, blue.
    case rgb

    /// Bytes per pixel.
    @inlinable public var channels: Int { self == .gray ? 1 : 3 }
}

/// An 8-bit image with tightly packed rows (row stride = width × channels).
public struct Image: Sendable, Hashable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Pixel layout.
    public let format: PixelFormat
    /// Row-major pixel bytes, `width * height * format.channels` of them.
    public var pixels: [UInt8]

    /// Wraps existing pixels; traps when the byte count does not match the size.
    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "negative image size")
        precondition(pixels.count == width * height * format.channels, "pixel count mismatch")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// A new image of one uniform value per channel.
    public init(width: Int, height: Int, format: PixelFormat, filledWith value: UInt8) {
        self.init(
            width: width, height: height, format: format,
            pixels: [UInt8](repeating: value, count: width * height * format.channels))
    }

    /// Bytes between the starts of two consecutive rows.
    @inlinable public var rowBytes: Int { width * format.channels }

    /// The channel values of the pixel at (x, y): one for gray, three for RGB.
    public subscript(x: Int, y: Int) -> ArraySlice<UInt8> {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel outside the image")
        let start = y * rowBytes + x * format.channels
        return pixels[start..<start + format.channels]
    }
}

extension Image {
    /// This image in gray: RGB becomes luma with BT.601 integer weights (as libjpeg's own gray
    /// output), gray is returned as it is.
    public func grayscale() -> Image {
        if format == .gray { return self }
        let count = width * height
        let gray = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            pixels.withUnsafeBufferPointer { rgb in
                for index in 0..<count {
                    let red = UInt32(rgb[3 * index])
                    let green = UInt32(rgb[3 * index + 1])
                    let blue = UInt32(rgb[3 * index + 2])
                    out[index] = UInt8(truncatingIfNeeded: (red &* 77 &+ green &* 150 &+ blue &* 29 &+ 128) >> 8)
                }
            }
            initialized = count
        }
        return Image(width: width, height: height, format: .gray, pixels: gray)
    }
}
