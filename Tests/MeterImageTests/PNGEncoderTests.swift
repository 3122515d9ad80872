import Testing
import MeterImage

@Suite("PNG encoder for audit pictures")
struct PNGEncoderTests {
    @Test(arguments: [PixelFormat.gray, .rgb])
    func roundTrips(_ format: PixelFormat) throws {
        let width = 37
        let height = 23
        let pixels = (0..<(width * height * format.channels)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let image = Image(width: width, height: height, format: format, pixels: pixels)
        let decoded = try decode(try image.pngData(), options: DecodeOptions(pixelFormat: format))
        #expect(decoded.format == .png)
        #expect(decoded.image == image)
    }
}
