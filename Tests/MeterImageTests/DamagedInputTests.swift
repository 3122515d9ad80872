import Testing
import MeterImage

/// Damaged copies of the good fixtures, made at test time: none may crash, and none may come
/// back as a picture of the wrong size.
@Suite("Truncated and bit-flipped files")
struct DamagedInputTests {
    static let sources = [
        "jpeg_420.jpg", "jpeg_444.jpg", "jpeg_progressive.jpg", "jpeg_gray.jpg", "jpeg_cmyk_adobe.jpg",
        "jpeg_restart.jpg", "jpeg_arithmetic.jpg", "exif_orient_6.jpg", "png_gray1.png",
        "png_gray16.png", "png_rgba8.png", "png_pal4_adam7.png", "png_rgba16_adam7.png",
        "png_rgb8_trns.png",
    ]

    @Test("every truncation is an error", arguments: sources)
    func everyPrefixFails(_ file: String) {
        let bytes = Fixtures.bytes(file)
        for length in 0..<bytes.count {
            do {
                let photo = try decode(Array(bytes[..<length]))
                Issue.record("\(file) cut at \(length) of \(bytes.count) decoded to \(photo.image.width)×\(photo.image.height)")
            } catch {
                // Expected: every cut loses part of the image or its end marker.
            }
        }
    }

    @Test("flipped bytes never crash and never change the size", arguments: sources)
    func flippedBytes(_ file: String) throws {
        let bytes = Fixtures.bytes(file)
        let reference = try decode(bytes)
        var generator = SplitMix64(seed: UInt64(bytes.count))
        for round in 0..<400 {
            var damaged = bytes
            // Headers are dense in the first 300 bytes; the rest is mostly entropy data.
            let offset = round < 200 ? Int(generator.next() % UInt64(min(300, bytes.count)))
                : Int(generator.next() % UInt64(bytes.count))
            damaged[offset] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
            if let photo = try? decode(damaged) {
                // A flip in a coefficient or the orientation tag can still decode; a flip that
                // changes the geometry must not (the entropy data no longer fits it).
                #expect(
                    photo.image.width * photo.image.height
                        == reference.image.width * reference.image.height,
                    "\(file) flip at \(offset): \(photo.image.width)×\(photo.image.height)")
            }
        }
    }
}

/// Small deterministic generator so damaged inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
