import Testing
import MeterImage

@Suite("EXIF orientation")
struct OrientationTests {
    /// Reference: where the upright pixel (x, y) comes from in the stored picture.
    static func sourceOf(x: Int, y: Int, width w: Int, height h: Int, _ orientation: Orientation)
        -> (Int, Int)
    {
        switch orientation {
        case .up: (x, y)
        case .upMirrored: (w - 1 - x, y)
        case .down: (w - 1 - x, h - 1 - y)
        case .downMirrored: (x, h - 1 - y)
        case .leftMirrored: (y, x)
        case .right: (y, h - 1 - x)
        case .rightMirrored: (w - 1 - y, h - 1 - x)
        case .left: (w - 1 - y, x)
        }
    }

    @Test(arguments: Orientation.allCases, [PixelFormat.gray, .rgb])
    func applyingMatchesTheReference(_ orientation: Orientation, format: PixelFormat) {
        // Odd sizes and more than one 32-pixel band exercise the tiled path's edges.
        let width = 71
        let height = 45
        var pixels: [UInt8] = []
        for index in 0..<(width * height * format.channels) {
            pixels.append(UInt8(truncatingIfNeeded: index &* 131 &+ index >> 8))
        }
        let stored = Image(width: width, height: height, format: format, pixels: pixels)
        let upright = stored.applying(orientation)
        #expect(upright.width == (orientation.swapsAxes ? height : width))
        #expect(upright.height == (orientation.swapsAxes ? width : height))
        for y in 0..<upright.height {
            for x in 0..<upright.width {
                let (sx, sy) = Self.sourceOf(x: x, y: y, width: width, height: height, orientation)
                guard Array(upright[x, y]) == Array(stored[sx, sy]) else {
                    Issue.record("\(orientation) differs at (\(x),\(y))")
                    return
                }
            }
        }
    }

    @Test func pngExifChunkIsApplied() throws {
        // png_rgb8 with an eXIf chunk (orientation 6) inserted right after IHDR.
        let png = Fixtures.bytes("png_rgb8.png")
        let tiff: [UInt8] = [
            0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01,
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
        ]
        let chunkType = Array("eXIf".utf8)
        var chunk = withUnsafeBytes(of: UInt32(tiff.count).bigEndian, Array.init)
        chunk += chunkType + tiff
        chunk += withUnsafeBytes(of: crc32(chunkType + tiff).bigEndian, Array.init)
        let ihdrEnd = 8 + 8 + 13 + 4
        let withExif = Array(png[..<ihdrEnd]) + chunk + Array(png[ihdrEnd...])
        let photo = try decode(withExif)
        #expect(photo.orientation == .right)
        #expect(photo.image.width == 48 && photo.image.height == 64)
    }

    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
