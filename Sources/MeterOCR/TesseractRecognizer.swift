internal import CTesseract
public import MeterImage

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// How a `TesseractRecognizer` asks Tesseract and reads its answer.
public struct TesseractSettings: Sendable, Hashable {
    /// Alternatives kept per digit at most.
    public var maxAlternatives: Int
    /// Page segmentation mode for `recognizeDigit` (10 = single character, 13 = raw line).
    public var digitPageSegMode: Int
    /// Page segmentation mode for `recognizeLine` (7 = single line, 8 = single word).
    public var linePageSegMode: Int
    /// Restrict the model to 0–9 (`tessedit_char_whitelist`). Off, the recogniser instead
    /// takes the most confident digit among each symbol's choices, which reads more: with the
    /// whitelist the stock `eng` model answers nothing where its best guess is a letter.
    public var whitelistDigits: Bool
    /// When a symbol has no digit among its choices, read letters that stand for digits
    /// ("O" → 0, "l" → 1, "S" → 5, "B" → 8, …) at half their confidence.
    public var mapLookalikes: Bool
    /// Turn OpenMP off for the calling thread before each recognition (see `OpenMP`). Only
    /// measurements want `false`.
    public var singleThreaded: Bool

    /// Every setting chosen explicitly.
    public init(
        maxAlternatives: Int = 3, digitPageSegMode: Int = 10, linePageSegMode: Int = 8,
        whitelistDigits: Bool = false, mapLookalikes: Bool = true, singleThreaded: Bool = true
    ) {
        precondition(maxAlternatives >= 0, "negative maxAlternatives")
        precondition(
            (6...13).contains(digitPageSegMode) && (6...13).contains(linePageSegMode),
            "page segmentation modes for digits and lines are 6…13")
        self.maxAlternatives = maxAlternatives
        self.digitPageSegMode = digitPageSegMode
        self.linePageSegMode = linePageSegMode
        self.whitelistDigits = whitelistDigits
        self.mapLookalikes = mapLookalikes
        self.singleThreaded = singleThreaded
    }

    /// What reads most meter digits with stock `eng` (measured on shared/data/meter-digits).
    public static let standard = TesseractSettings()

    /// Tesseract as commonly configured for digits: whitelist, no lookalikes. The baseline.
    public static let whitelist = TesseractSettings(whitelistDigits: true, mapLookalikes: false)
}

/// Reads digits with Tesseract's LSTM engine through its C API.
///
/// One instance owns one `TessBaseAPI` handle (created once, ~80 ms; freed in `deinit`). Use it
/// from one worker at a time; it may move between threads (OpenMP is turned off for the
/// calling thread before every recognition, see `OpenMP`). Tesseract's messages go to
/// /dev/null: in normal use nothing reaches stderr.
public final class TesseractRecognizer: DigitRecognizer {
    /// Where Debian's `tesseract-ocr-<lang>` packages put their models.
    public static let debianTessdata = "/usr/share/tesseract-ocr/5/tessdata"

    /// The model file this recogniser loaded.
    public let modelPath: String
    /// How Tesseract is asked.
    public let settings: TesseractSettings

    private let handle: OpaquePointer

    /// Loads `<dataPath>/<language>.traineddata`.
    ///
    /// - Parameters:
    ///   - dataPath: the tessdata directory; nil means `$TESSDATA_PREFIX`, else Debian's
    ///     `/usr/share/tesseract-ocr/5/tessdata`.
    ///   - language: the model name (`eng`).
    ///   - settings: how to ask Tesseract.
    /// - Throws: `OCRError.modelMissing` (naming the file and the Debian package) when the
    ///   model is not there, `OCRError.engineFailure` when Tesseract refuses to start.
    public init(
        dataPath: String? = nil, language: String = "eng",
        settings: TesseractSettings = .standard
    ) throws(OCRError) {
        let directory = Self.resolveDataPath(dataPath)
        let model = directory + "/" + language + ".traineddata"
        guard Self.isReadableFile(model) else {
            if BundledModels.names.contains(language) {
                throw .modelMissing(
                    "Tesseract model \(model) not found: \(language) ships with MeterScan "
                        + "(Sources/MeterOCR/Models, made by training/train.sh); rebuild, or pass "
                        + "the folder holding \(language).traineddata.")
            }
            throw .modelMissing(
                "Tesseract model \(model) not found: install the Debian package "
                    + "tesseract-ocr-\(Self.debianPackageSuffix(language)), set TESSDATA_PREFIX "
                    + "or pass the tessdata directory.")
        }
        guard let handle = TessBaseAPICreate() else {
            throw .engineFailure("TessBaseAPICreate returned no handle")
        }
        self.handle = handle
        self.modelPath = model
        self.settings = settings
        // From here on `deinit` frees the handle, also when Init fails below.
        if settings.singleThreaded { OpenMP.serializeCurrentThread() }
        let status = withCStrings(Self.initVariables) { names, values, count in
            TessBaseAPIInit4(
                handle, directory, language, OEM_LSTM_ONLY, nil, 0, names, values, count, 0)
        }
        guard status == 0 else {
            throw .engineFailure("Tesseract could not load \(model) (is it a Tesseract 4/5 model?)")
        }
        var variables = Self.runtimeVariables
        if settings.whitelistDigits { variables.append(("tessedit_char_whitelist", "0123456789")) }
        for (name, value) in variables where TessBaseAPISetVariable(handle, name, value) == 0 {
            throw .engineFailure("Tesseract does not know the variable \(name)")
        }
    }

    deinit {
        TessBaseAPIEnd(handle)
        TessBaseAPIDelete(handle)
    }

    /// Reads one isolated digit (`PSM_SINGLE_CHAR` by default): the most confident digit
    /// symbol found.
    public func recognizeDigit(_ cell: Image) throws(OCRError) -> DigitGuess {
        let guesses = recognize(cell, pageSegMode: TessPageSegMode(UInt32(settings.digitPageSegMode)))
        return guesses.max { $0.confidence < $1.confidence } ?? .empty
    }

    /// Reads a line of digits (`PSM_SINGLE_WORD` by default: the whole image is the line),
    /// one guess per digit symbol.
    public func recognizeLine(_ line: Image) throws(OCRError) -> [DigitGuess] {
        recognize(line, pageSegMode: TessPageSegMode(UInt32(settings.linePageSegMode)))
    }

    // MARK: - Engine calls

    /// Variables that Tesseract reads only during Init.
    private static let initVariables: [(String, String)] = [
        ("debug_file", "/dev/null"),
        ("load_system_dawg", "0"),
        ("load_freq_dawg", "0"),
        ("load_punc_dawg", "0"),
        ("load_number_dawg", "0"),
        ("load_unambig_dawg", "0"),
        ("load_bigram_dawg", "0"),
    ]

    /// Variables set once after Init.
    private static let runtimeVariables: [(String, String)] = [
        // Real alternatives from the choice iterator (the default gives none for LSTM).
        ("lstm_choice_mode", "2"),
        // The cells carry no resolution; saying so keeps Tesseract from warning about it.
        ("user_defined_dpi", "300"),
    ]

    private func recognize(_ image: Image, pageSegMode: TessPageSegMode) -> [DigitGuess] {
        guard image.width > 0, image.height > 0 else { return [] }
        let gray = image.format == .gray ? image.pixels : image.grayscale().pixels
        // Tesseract reads a uniform image as one big blob (a blank cell came back as "7" at
        // 91 %): nothing to read means no call.
        guard cellHasContrast(gray) else { return [] }
        if settings.singleThreaded { OpenMP.serializeCurrentThread() }
        TessBaseAPISetPageSegMode(handle, pageSegMode)
        gray.withUnsafeBufferPointer { buffer in
            TessBaseAPISetImage(
                handle, buffer.baseAddress, Int32(image.width), Int32(image.height), 1,
                Int32(image.width))
        }
        // A failed recognition is about this image (too small, nothing found): no guesses.
        guard TessBaseAPIRecognize(handle, nil) == 0,
            let iterator = ResultIterator(TessBaseAPIGetIterator(handle))
        else {
            TessBaseAPIClear(handle)
            return []
        }
        var guesses: [DigitGuess] = []
        repeat {
            if let guess = iterator.symbolGuess(
                maxAlternatives: settings.maxAlternatives, lookalikes: settings.mapLookalikes) {
                guesses.append(guess)
            }
        } while iterator.next()
        TessBaseAPIClear(handle)
        return guesses
    }

    // MARK: - Model location

    static func resolveDataPath(_ dataPath: String?) -> String {
        var directory: String
        if let dataPath, !dataPath.isEmpty {
            directory = dataPath
        } else if let prefix = getenv("TESSDATA_PREFIX"), prefix.pointee != 0 {
            directory = String(cString: prefix)
        } else {
            directory = debianTessdata
        }
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        return directory
    }

    private static func isReadableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
    }

    /// Debian names the packages after the model with `_` spelled `-` and in lower case
    /// (`chi_sim` → `tesseract-ocr-chi-sim`).
    private static func debianPackageSuffix(_ language: String) -> String {
        String(language.lowercased().map { $0 == "_" ? "-" : $0 })
    }
}

/// Owns one `TessResultIterator` for the duration of a result walk.
private final class ResultIterator {
    private let pointer: OpaquePointer

    init?(_ pointer: OpaquePointer?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }

    deinit { TessResultIteratorDelete(pointer) }

    func next() -> Bool { TessResultIteratorNext(pointer, RIL_SYMBOL) != 0 }

    /// The current symbol as a digit guess: the most confident digit among the symbol and its
    /// choices, the other digits as alternatives; nil when no digit is among them.
    func symbolGuess(maxAlternatives: Int, lookalikes: Bool) -> DigitGuess? {
        // No text means no word under the iterator (an empty page): asking for its choices
        // would trip an assertion in Tesseract.
        guard let text = takeText(TessResultIteratorGetUTF8Text(pointer, RIL_SYMBOL)) else { return nil }
        var candidates: [DigitCandidate] = []
        if isDigit(text) {
            candidates.append(
                DigitCandidate(text, unitConfidence(TessResultIteratorConfidence(pointer, RIL_SYMBOL))))
        }
        if let choices = ChoiceIterator(TessResultIteratorGetChoiceIterator(pointer)) {
            repeat {
                guard let choice = choices.text, isDigit(choice) else { continue }
                let confidence = unitConfidence(choices.confidence)
                if let index = candidates.firstIndex(where: { $0.text == choice }) {
                    // The symbol's own confidence wins over its choice entry's.
                    if index > 0 { candidates[index].confidence = max(candidates[index].confidence, confidence) }
                } else {
                    candidates.append(DigitCandidate(choice, confidence))
                }
            } while choices.next()
        }
        if candidates.isEmpty, lookalikes, let digit = lookalikeDigit[text] {
            // Stock models read some digits as letters ("O", "l", "S"); half the confidence.
            let confidence = unitConfidence(TessResultIteratorConfidence(pointer, RIL_SYMBOL)) / 2
            candidates.append(DigitCandidate(digit, confidence))
        }
        guard let best = candidates.first else { return nil }
        let alternatives = candidates.dropFirst().sorted { $0.confidence > $1.confidence }.prefix(maxAlternatives)
        return DigitGuess(text: best.text, confidence: best.confidence, alternatives: Array(alternatives))
    }
}

/// Owns one `TessChoiceIterator`.
private final class ChoiceIterator {
    private let pointer: OpaquePointer

    init?(_ pointer: OpaquePointer?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }

    deinit { TessChoiceIteratorDelete(pointer) }

    func next() -> Bool { TessChoiceIteratorNext(pointer) != 0 }

    /// Borrowed from the iterator: not freed.
    var text: String? { TessChoiceIteratorGetUTF8Text(pointer).map { String(cString: $0) } }

    var confidence: Float { TessChoiceIteratorConfidence(pointer) }
}

/// Copies a string Tesseract allocated for us and frees it.
private func takeText(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    let text = String(cString: pointer)
    TessDeleteText(pointer)
    return text
}

private func isDigit(_ text: String) -> Bool {
    text.utf8.count == 1 && text.utf8.first.map { (0x30...0x39).contains($0) } == true
}

/// Letters the stock models read for digits.
private let lookalikeDigit: [String: String] = [
    "O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1", "]": "1",
    "[": "1", "!": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "$": "5", "G": "6", "b": "6",
    "T": "7", "B": "8", "&": "8", "g": "9", "q": "9",
]

/// Tesseract's 0–100 → 0…1.
private func unitConfidence(_ value: Float) -> Double {
    guard value.isFinite else { return 0 }
    return min(max(Double(value) / 100, 0), 1)
}

/// Calls `body` with C arrays of the names and values, valid only during the call.
private func withCStrings<Result>(
    _ pairs: [(String, String)],
    _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, Int) -> Result
) -> Result {
    var names = pairs.map { strdup($0.0) }
    var values = pairs.map { strdup($0.1) }
    let result = names.withUnsafeMutableBufferPointer { namePointers in
        values.withUnsafeMutableBufferPointer { valuePointers in
            body(namePointers.baseAddress!, valuePointers.baseAddress!, pairs.count)
        }
    }
    for pointer in names + values { free(pointer) }
    return result
}
