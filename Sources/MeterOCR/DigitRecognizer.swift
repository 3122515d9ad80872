public import MeterImage

/// One candidate reading of a digit with the engine's confidence in it (0…1).
public struct DigitCandidate: Sendable, Hashable {
    /// The digit, "0"…"9".
    public var text: String
    /// Confidence, 0…1.
    public var confidence: Double

    /// A candidate for `text` with `confidence`.
    public init(_ text: String, _ confidence: Double) {
        self.text = text
        self.confidence = confidence
    }
}

/// What a recogniser saw in one digit cell: its best guess and the runners-up.
public struct DigitGuess: Sendable, Hashable {
    /// Best digit, or "" when the engine saw nothing it could read.
    public var text: String
    /// Confidence in `text`, 0…1 (0 when `text` is empty).
    public var confidence: Double
    /// Other digits the engine considered, most likely first, without `text` itself.
    public var alternatives: [DigitCandidate]

    /// A guess with its evidence.
    public init(text: String, confidence: Double, alternatives: [DigitCandidate] = []) {
        self.text = text
        self.confidence = confidence
        self.alternatives = alternatives
    }

    /// Nothing readable.
    public static let empty = DigitGuess(text: "", confidence: 0)
}

/// Why a recogniser could not work at all (as opposed to a cell it could not read).
public enum OCRError: Error, Sendable, CustomStringConvertible {
    /// The model file is missing; the message says which file or package provides it.
    case modelMissing(String)
    /// The engine failed in a way that is not about one image.
    case engineFailure(String)

    /// A one-line message.
    public var description: String {
        switch self {
        case .modelMissing(let message): message
        case .engineFailure(let message): "OCR engine failure: \(message)"
        }
    }
}

/// Reads digits from prepared cells: dark digits on a light background, padded.
///
/// A recogniser holds engine state and is used by one worker at a time; create one per
/// worker and reuse it (creating a Tesseract handle costs ~80 ms).
public protocol DigitRecognizer: AnyObject {
    /// Reads one isolated digit.
    func recognizeDigit(_ cell: Image) throws(OCRError) -> DigitGuess
    /// Reads a line of digits left to right (one guess per digit the engine found).
    func recognizeLine(_ line: Image) throws(OCRError) -> [DigitGuess]
    /// Whether `recognizeLine` reads anything: false for cell classifiers, whose pipeline then
    /// skips the line reading (a "second opinion" that would always come back empty).
    var readsLines: Bool { get }
    /// Whether an empty guess means the engine judged the cell to hold no digit (frame,
    /// background, lettering), rather than that it could not read it.
    var recognizesNonDigits: Bool { get }
}

extension DigitRecognizer {
    /// Line-reading engines (Tesseract and the fakes) read lines.
    public var readsLines: Bool { true }
    /// Tesseract answers nothing for digits it cannot read, seven-segment ones above all.
    public var recognizesNonDigits: Bool { false }
}

/// Gray levels between a cell's darkest and lightest pixel below which it is blank.
let minimumCellContrast: UInt8 = 24

/// Whether the darkest and lightest pixels differ by more than JPEG noise. Every recogniser
/// answers a blank cell with nothing: read as an image, a uniform cell came back from
/// Tesseract as "7" at 91 %.
func cellHasContrast(_ pixels: [UInt8]) -> Bool {
    pixels.withUnsafeBufferPointer { pixels in
        var low: UInt8 = 255
        var high: UInt8 = 0
        for value in pixels {
            low = min(low, value)
            high = max(high, value)
        }
        return high - low >= minimumCellContrast
    }
}
