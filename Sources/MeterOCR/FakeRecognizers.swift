public import MeterImage

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

// Fault-injecting engines behind `DigitRecognizer`, for tests and for benchmarks that measure
// everything but OCR (OCRmyPDF's `null_ocr` and `tesseract_crash` play the same part).

/// Answers from a script: given guesses in order, or a closure per image. Optionally slow.
public final class ScriptedRecognizer: DigitRecognizer {
    private let digit: (Image) -> DigitGuess
    private let line: (Image) -> [DigitGuess]
    /// Time each call takes (a sleep), to imitate a real engine.
    public let latency: Duration
    /// How many times `recognizeDigit` was called.
    public private(set) var digitCalls = 0
    /// How many times `recognizeLine` was called.
    public private(set) var lineCalls = 0
    /// Whether an empty guess stands for "no digit here", as from a classifier with a
    /// no-digit class (see `DigitRecognizer.recognizesNonDigits`).
    public var recognizesNonDigits = false

    /// Answers `recognizeDigit` with `digits` in order and `recognizeLine` with `lines` in
    /// order; once a script runs out, every further call reads nothing.
    public init(digits: [DigitGuess], lines: [[DigitGuess]] = [], latency: Duration = .zero) {
        var nextDigit = digits.makeIterator()
        var nextLine = lines.makeIterator()
        self.digit = { _ in nextDigit.next() ?? .empty }
        self.line = { _ in nextLine.next() ?? [] }
        self.latency = latency
    }

    /// Answers each call with what the closures make of the image.
    public init(
        latency: Duration = .zero, digit: @escaping (Image) -> DigitGuess,
        line: @escaping (Image) -> [DigitGuess] = { _ in [] }
    ) {
        self.digit = digit
        self.line = line
        self.latency = latency
    }

    /// The next scripted guess.
    public func recognizeDigit(_ cell: Image) throws(OCRError) -> DigitGuess {
        digitCalls += 1
        wait()
        return digit(cell)
    }

    /// The next scripted line.
    public func recognizeLine(_ line: Image) throws(OCRError) -> [DigitGuess] {
        lineCalls += 1
        wait()
        return self.line(line)
    }

    private func wait() {
        guard latency > .zero else { return }
        let parts = latency.components
        let microseconds = parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
        usleep(UInt32(clamping: microseconds))
    }
}

/// Reads nothing, instantly: every cell is empty, every line has no digits.
public final class NullRecognizer: DigitRecognizer {
    /// A recogniser that never reads anything.
    public init() {}

    /// Always `.empty`.
    public func recognizeDigit(_ cell: Image) throws(OCRError) -> DigitGuess { .empty }

    /// Always no digits.
    public func recognizeLine(_ line: Image) throws(OCRError) -> [DigitGuess] { [] }
}

/// Fails every call with `OCRError.engineFailure`, like an engine that crashed.
public final class FailingRecognizer: DigitRecognizer {
    /// The message the failure carries.
    public let message: String

    /// A recogniser whose every call throws `engineFailure(message)`.
    public init(message: String = "injected failure") {
        self.message = message
    }

    /// Throws.
    public func recognizeDigit(_ cell: Image) throws(OCRError) -> DigitGuess {
        throw .engineFailure(message)
    }

    /// Throws.
    public func recognizeLine(_ line: Image) throws(OCRError) -> [DigitGuess] {
        throw .engineFailure(message)
    }
}
