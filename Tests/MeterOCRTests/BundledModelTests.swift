import Testing
import MeterImage
import MeterOCR

@Suite("The bundled meterdigits model")
struct BundledModelTests {
    @Test func isFoundWithoutConfiguration() throws {
        let directory = try #require(BundledModels.directory)
        #expect(directory.hasSuffix("Models"))
        _ = try TesseractRecognizer(dataPath: directory, language: "meterdigits")
    }

    @Test func readsOnlyDigits() throws {
        let directory = try #require(BundledModels.directory)
        let recognizer = try TesseractRecognizer(dataPath: directory, language: "meterdigits")
        // A bold "1": a vertical bar with a flag, dark on white, 48 px high.
        var pixels = [UInt8](repeating: 255, count: 32 * 48)
        for y in 6..<42 { for x in 14..<20 { pixels[y * 32 + x] = 0 } }
        for y in 6..<12 { for x in 8..<14 { pixels[y * 32 + x] = 0 } }
        let guess = try recognizer.recognizeDigit(Image(width: 32, height: 48, format: .gray, pixels: pixels))
        #expect(guess.text.isEmpty || guess.text.allSatisfy(\.isNumber))
    }
}
