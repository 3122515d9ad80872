import Testing
import MeterImage

@Suite("Limits and DCT scaling")
struct DecodeOptionsTests {
    let large = Fixtures.bytes("jpeg_large_1600x1200.jpg")

    @Test(arguments: [
        ((1600, 1200), 1), ((800, 600), 2), ((801, 600), 1), ((400, 300), 4), ((200, 150), 8),
        ((10, 10), 8), ((300, 400), 2),
    ])
    func chosenScaleKeepsTheMinimumSize(minimum: (Int, Int), scale: Int) throws {
        let photo = try decode(large, options: DecodeOptions(minimumSize: minimum))
        #expect(photo.scale == scale)
        #expect(photo.image.width == 1600 / scale && photo.image.height == 1200 / scale)
        #expect(photo.image.width >= min(minimum.0, 1600) && photo.image.height >= min(minimum.1, 1200))
        #expect(photo.originalWidth == 1600 && photo.originalHeight == 1200)
    }

    @Test func scaledDecodeKeepsTheColours() throws {
        let photo = try decode(large, options: DecodeOptions(minimumSize: (200, 150)))
        let topLeft = Array(photo.image[photo.image.width / 4, photo.image.height / 4])
        #expect(abs(Int(topLeft[0]) - 200) < 16 && topLeft[1] < 50)
    }

    @Test func minimumSizeIsUprightForRotatedFiles() throws {
        // exif_orient_6 stores 48×64 and shows 64×48: a minimum of 64×48 allows no scaling,
        // one of 32×24 allows 1/2.
        let bytes = Fixtures.bytes("exif_orient_6.jpg")
        #expect(try decode(bytes, options: DecodeOptions(minimumSize: (64, 48))).scale == 1)
        let half = try decode(bytes, options: DecodeOptions(minimumSize: (32, 24)))
        #expect(half.scale == 2 && half.image.width == 32 && half.image.height == 24)
    }

    @Test func pixelLimitIsConfigurable() throws {
        #expect(throws: DecodeError.tooManyPixels(width: 1600, height: 1200, limitMegapixels: 1)) {
            try decode(large, options: DecodeOptions(maxPixels: 1_000_000))
        }
        _ = try decode(large, options: DecodeOptions(maxPixels: 1_920_000))
    }

    @Test func fileSizeLimitIsConfigurable() {
        #expect(throws: DecodeError.fileTooLarge(bytes: large.count, limit: 1000)) {
            try decode(large, options: DecodeOptions(maxFileBytes: 1000))
        }
    }

    @Test func progressiveScanCountIsBounded() throws {
        let progressive = Fixtures.bytes("jpeg_progressive.jpg")
        #expect(try decode(progressive).progressive)
        #expect(throws: DecodeError.tooManyScans(limit: 2)) {
            try decode(progressive, options: DecodeOptions(maxProgressiveScans: 2))
        }
    }
}
