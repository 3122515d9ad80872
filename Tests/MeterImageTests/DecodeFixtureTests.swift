import Testing
import MeterImage

@Suite("Decoding the committed fixtures")
struct DecodeFixtureTests {
    @Test("valid fixtures give the upright size and the right colours (RGB)", arguments: Fixtures.valid)
    func decodesRGB(_ fixture: Fixtures.Expectation) throws {
        let photo = try decode(Fixtures.bytes(fixture.file))
        #expect(photo.format.rawValue == fixture.format)
        #expect(photo.originalWidth == fixture.width)
        #expect(photo.originalHeight == fixture.height)
        #expect(photo.orientation.rawValue == fixture.orientation)
        #expect(photo.image.width == fixture.width && photo.image.height == fixture.height)
        #expect(photo.image.format == .rgb)
        let tolerance = fixture.format == "jpeg" ? 14 : 1
        for probe in try #require(Fixtures.patterns[fixture.pattern]) {
            let x = Int(probe.xFraction * Double(photo.image.width))
            let y = Int(probe.yFraction * Double(photo.image.height))
            let pixel = Array(photo.image[x, y])
            let expected = [probe.rgb.0, probe.rgb.1, probe.rgb.2]
            for channel in 0..<3 {
                #expect(
                    abs(Int(pixel[channel]) - expected[channel]) <= tolerance,
                    "\(fixture.file) at (\(x),\(y)): \(pixel) vs \(expected)")
            }
        }
    }

    @Test("valid fixtures decode to gray with the right luminance", arguments: Fixtures.valid)
    func decodesGray(_ fixture: Fixtures.Expectation) throws {
        let photo = try decode(Fixtures.bytes(fixture.file), options: DecodeOptions(pixelFormat: .gray))
        #expect(photo.image.format == .gray)
        #expect(photo.image.width == fixture.width && photo.image.height == fixture.height)
        for probe in try #require(Fixtures.patterns[fixture.pattern]) {
            let x = Int(probe.xFraction * Double(photo.image.width))
            let y = Int(probe.yFraction * Double(photo.image.height))
            let value = Int(photo.image[x, y].first!)
            let (r, g, b) = (Double(probe.rgb.0), Double(probe.rgb.1), Double(probe.rgb.2))
            // libjpeg uses BT.601 weights, libpng the sRGB (BT.709) ones.
            let bt601 = 0.299 * r + 0.587 * g + 0.114 * b
            let bt709 = 0.2126 * r + 0.7152 * g + 0.0722 * b
            let expected = fixture.format == "jpeg" ? bt601 : bt709
            let tolerance = fixture.format == "jpeg" ? 14.0 : 2.0
            #expect(abs(Double(value) - expected) <= tolerance, "\(fixture.file): \(value) vs \(expected)")
        }
    }

    @Test("invalid fixtures give the documented error", arguments: Fixtures.invalid)
    func refusesInvalid(_ fixture: Fixtures.Expectation) {
        #expect {
            _ = try decode(Fixtures.bytes(fixture.file))
        } throws: { error in
            guard let error = error as? DecodeError else { return false }
            switch (fixture.error, error) {
            case ("empty", .empty), ("unsupported", .unsupportedFormat), ("too_large", .tooManyPixels),
                ("corrupt", .corrupt), ("truncated", .truncated):
                return true
            default:
                Issue.record("\(fixture.file): expected \(fixture.error), got \(error)")
                return false
            }
        }
    }

    @Test func truncatedJPEGMentionsPrematureEnd() throws {
        #expect {
            _ = try decode(Fixtures.bytes("truncated_half.jpg"))
        } throws: { error in
            "\(error)".contains("Premature end")
        }
    }

    @Test func unsupportedFormatsSayWhatTheyAre() {
        let cases = [
            ("tiny.gif", "GIF"), ("doc.pdf", "PDF"), ("fake.heic", "HEIC"), ("tiny.webp", "WebP"),
            ("notes.txt", "text"),
        ]
        for (file, word) in cases {
            #expect(throws: DecodeError.self) { try decode(Fixtures.bytes(file)) }
            do {
                _ = try decode(Fixtures.bytes(file))
            } catch {
                #expect("\(error)".contains(word), "\(file): \(error)")
            }
        }
    }

    @Test("a header claiming 100000×100000 is refused before allocating")
    func hugeDimensionsRefused() throws {
        for file in ["huge_dims.png", "huge_dims.jpg"] {
            #expect {
                _ = try decode(Fixtures.bytes(file))
            } throws: { error in
                guard case .tooManyPixels(let width, _, _) = error as? DecodeError else { return false }
                return width >= 60000
            }
        }
    }
}
