import MeterImage
import Testing

@testable import MeterOCR

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether Debian's English model is installed (CI installs `tesseract-ocr-eng`).
private let hasEnglishModel = access(TesseractRecognizer.debianTessdata + "/eng.traineddata", R_OK) == 0

@Suite("Tesseract recogniser", .serialized, .enabled(if: hasEnglishModel, "tesseract-ocr-eng is not installed"))
struct TesseractRecognizerTests {
    let recognizer: TesseractRecognizer

    init() throws {
        recognizer = try TesseractRecognizer(dataPath: TesseractRecognizer.debianTessdata)
    }

    @Test("a drawn digit is read", arguments: ["1", "2", "3", "4", "6", "7", "8"])
    func readsSyntheticDigit(_ digit: String) throws {
        let guess = try recognizer.recognizeDigit(SyntheticDigits.render(digit))
        #expect(guess.text == digit)
        #expect(guess.confidence > 0.5)
    }

    @Test("an RGB cell is read like its gray twin")
    func readsRGB() throws {
        let gray = SyntheticDigits.render("4")
        let fromGray = try recognizer.recognizeDigit(gray)
        let fromRGB = try recognizer.recognizeDigit(SyntheticDigits.rgb(gray))
        #expect(fromRGB == fromGray)
    }

    @Test("confidences lie in 0…1 and alternatives exclude the best digit")
    func confidencesAndAlternatives() throws {
        for digit in ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] {
            for scale in [3, 6] {
                let guess = try recognizer.recognizeDigit(SyntheticDigits.render(digit, scale: scale))
                #expect((0...1).contains(guess.confidence))
                #expect(!guess.alternatives.contains { $0.text == guess.text })
                #expect(guess.alternatives.count <= recognizer.settings.maxAlternatives)
                #expect(Set(guess.alternatives.map(\.text)).count == guess.alternatives.count)
                for alternative in guess.alternatives {
                    #expect((0...1).contains(alternative.confidence))
                    #expect(alternative.text.count == 1 && alternative.text.first!.isNumber)
                }
                #expect(guess.alternatives.map(\.confidence) == guess.alternatives.map(\.confidence).sorted(by: >))
            }
        }
    }

    @Test("a line of drawn digits is read left to right")
    func readsLine() throws {
        let guesses = try recognizer.recognizeLine(SyntheticDigits.render("2047", margin: 12))
        #expect(guesses.map(\.text).joined() == "2047")
    }

    @Test("Debian's libtesseract brings OpenMP, and the recogniser finds its switch")
    func openMP() {
        #expect(OpenMP.isPresent)
        OpenMP.serializeCurrentThread()  // harmless to repeat
    }

    @Test("a blank or empty cell reads nothing", arguments: [UInt8(255), 128, 0])
    func blankCell(_ level: UInt8) throws {
        var pixels = [UInt8](repeating: level, count: 40 * 60)
        pixels[100] = level > 128 ? level - 10 : level + 10  // a little noise
        let blank = Image(width: 40, height: 60, format: .gray, pixels: pixels)
        #expect(try recognizer.recognizeDigit(blank) == .empty)
        #expect(try recognizer.recognizeLine(blank).isEmpty)
        let empty = Image(width: 0, height: 0, format: .gray, pixels: [])
        #expect(try recognizer.recognizeDigit(empty) == .empty)
    }

    @Test("the whitelist setting reads digits only")
    func whitelistSettings() throws {
        let stock = try TesseractRecognizer(settings: .whitelist)
        let guess = try stock.recognizeDigit(SyntheticDigits.render("3"))
        #expect(guess.text == "3")
    }

    @Test("Tesseract writes nothing to stderr while loading and reading")
    func silent() throws {
        let captured = try captureStandardError {
            let quiet = try TesseractRecognizer()
            _ = try quiet.recognizeDigit(SyntheticDigits.render("3"))
            // A tiny image is where Tesseract likes to complain.
            _ = try quiet.recognizeDigit(Image(width: 3, height: 3, format: .gray, filledWith: 0))
            _ = try quiet.recognizeLine(SyntheticDigits.render("12", scale: 2, margin: 1))
        }
        // Swift Testing reports other tests' progress on stderr meanwhile: leave its lines out.
        let testingSymbols: Set<Character> = ["◇", "✔", "✘", "↳", "⊘", "⚠", "􀟈", "􀁢", "􀢄", "􀀄", "􀄵"]
        let foreign = captured.split(separator: "\n").filter { line in
            guard let first = line.first else { return false }
            return !testingSymbols.contains(first)
        }
        #expect(foreign.isEmpty, "stderr: \(foreign)")
    }
}

@Suite("Model location")
struct ModelLocationTests {
    @Test("a missing model is modelMissing, naming the file and the Debian package")
    func missingModel() throws {
        let directory = "/nonexistent-tessdata-\(getpid())"
        #expect {
            _ = try TesseractRecognizer(dataPath: directory, language: "eng")
        } throws: { error in
            guard case OCRError.modelMissing(let message) = error else { return false }
            return message.contains(directory + "/eng.traineddata") && message.contains("tesseract-ocr-eng")
        }
    }

    @Test("the package name follows Debian's spelling")
    func packageName() throws {
        #expect {
            _ = try TesseractRecognizer(dataPath: "/nonexistent", language: "chi_sim")
        } throws: { error in
            "\(error)".contains("tesseract-ocr-chi-sim")
        }
    }

    @Test("an explicit path wins, trailing slashes dropped")
    func explicitPath() {
        #expect(TesseractRecognizer.resolveDataPath("/some/dir/") == "/some/dir")
        #expect(TesseractRecognizer.resolveDataPath("/some/dir") == "/some/dir")
    }

    @Test("without a path: TESSDATA_PREFIX, else Debian's directory")
    func environmentFallback() {
        let saved = getenv("TESSDATA_PREFIX").map { String(cString: $0) }
        defer {
            if let saved { setenv("TESSDATA_PREFIX", saved, 1) } else { unsetenv("TESSDATA_PREFIX") }
        }
        setenv("TESSDATA_PREFIX", "/from/env", 1)
        #expect(TesseractRecognizer.resolveDataPath(nil) == "/from/env")
        unsetenv("TESSDATA_PREFIX")
        #expect(TesseractRecognizer.resolveDataPath(nil) == TesseractRecognizer.debianTessdata)
    }
}

/// Runs `body` with file descriptor 2 pointed at a temporary file and returns what landed there.
private func captureStandardError(_ body: () throws -> Void) throws -> String {
    var template = Array("/tmp/meterocr-stderr-XXXXXX".utf8CString)
    let file = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    precondition(file >= 0, "mkstemp failed")
    let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer {
        close(file)
        unlink(path)
    }
    fflush(nil)
    let saved = dup(2)
    dup2(file, 2)
    var thrown: (any Error)?
    do { try body() } catch { thrown = error }
    fflush(nil)
    dup2(saved, 2)
    close(saved)
    if let thrown { throw thrown }
    lseek(file, 0, SEEK_SET)
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(file, &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
