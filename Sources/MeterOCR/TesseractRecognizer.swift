internal import CTesseract
public import MeterImage

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

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
    /// How many alternatives each guess keeps at most.
    public let maxAlternatives: Int
    /// Page segmentation used by `recognizeLine` (7 = single line, 8 = single word).
    public let linePageSegMode: Int

    private let handle: OpaquePointer
    private let singleThreaded: Bool

    /// Loads `<dataPath>/<language>.traineddata`.
    ///
    /// - Parameters:
    ///   - dataPath: the tessdata directory; nil means `$TESSDATA_PREFIX`, else Debian's.
    ///   - language: the model name (`eng`).
    ///   - maxAlternatives: alternatives kept per digit.
    ///   - linePageSegMode: `PSM_SINGLE_LINE` (7) or `PSM_SINGLE_WORD` (8) for lines.
    ///   - singleThreaded: turn OpenMP off for the calling thread before each recognition.
    ///     Only measurements want `false`.
    /// - Throws: `OCRError.modelMissing` (naming the file and the Debian package) when the
    ///   model is not there, `OCRError.engineFailure` when Tesseract refuses to start.
    public init(
        dataPath: String? = nil, language: String = "eng", maxAlternatives: Int = 3,
        linePageSegMode: Int = 7, singleThreaded: Bool = true
    ) throws(OCRError) {
        precondition(maxAlternatives >= 0, "negative maxAlternatives")
        precondition(linePageSegMode == 7 || linePageSegMode == 8, "line mode must be PSM 7 or 8")
        let directory = Self.resolveDataPath(dataPath)
        let model = directory + "/" + language + ".traineddata"
        guard Self.isReadableFile(model) else {
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
        self.maxAlternatives = maxAlternatives
        self.linePageSegMode = linePageSegMode
        self.singleThreaded = singleThreaded
        // From here on `deinit` frees the handle, also when Init fails below.
        if singleThreaded { OpenMP.serializeCurrentThread() }
        let status = withCStrings(Self.initVariables) { names, values, count in
            TessBaseAPIInit4(
                handle, directory, language, OEM_LSTM_ONLY, nil, 0, names, values, count, 0)
        }
        guard status == 0 else {
            throw .engineFailure("Tesseract could not load \(model) (is it a Tesseract 4/5 model?)")
        }
        for (name, value) in Self.runtimeVariables where TessBaseAPISetVariable(handle, name, value) == 0 {
            throw .engineFailure("Tesseract does not know the variable \(name)")
        }
    }

    deinit {
        TessBaseAPIEnd(handle)
        TessBaseAPIDelete(handle)
    }

    /// Reads one isolated digit (`PSM_SINGLE_CHAR`): the most confident digit symbol found.
    public func recognizeDigit(_ cell: Image) throws(OCRError) -> DigitGuess {
        let guesses = recognize(cell, pageSegMode: PSM_SINGLE_CHAR)
        return guesses.max { $0.confidence < $1.confidence } ?? .empty
    }

    /// Reads a line of digits (`PSM_SINGLE_LINE` or `PSM_SINGLE_WORD`), one guess per symbol.
    public func recognizeLine(_ line: Image) throws(OCRError) -> [DigitGuess] {
        recognize(line, pageSegMode: TessPageSegMode(UInt32(linePageSegMode)))
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
        ("tessedit_char_whitelist", "0123456789"),
        ("lstm_choice_mode", "2"),
        // The cells carry no resolution; saying so keeps Tesseract from warning about it.
        ("user_defined_dpi", "300"),
    ]

    private func recognize(_ image: Image, pageSegMode: TessPageSegMode) -> [DigitGuess] {
        guard image.width > 0, image.height > 0 else { return [] }
        if singleThreaded { OpenMP.serializeCurrentThread() }
        TessBaseAPISetPageSegMode(handle, pageSegMode)
        let gray = image.format == .gray ? image.pixels : Self.luma(image)
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
            if let guess = iterator.symbolGuess(maxAlternatives: maxAlternatives) {
                guesses.append(guess)
            }
        } while iterator.next()
        TessBaseAPIClear(handle)
        return guesses
    }

    private static func luma(_ image: Image) -> [UInt8] {
        let count = image.width * image.height
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            image.pixels.withUnsafeBufferPointer { rgb in
                for index in 0..<count {
                    let red = UInt32(rgb[3 * index])
                    let green = UInt32(rgb[3 * index + 1])
                    let blue = UInt32(rgb[3 * index + 2])
                    out[index] = UInt8((red * 77 + green * 150 + blue * 29 + 128) >> 8)
                }
            }
            initialized = count
        }
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

    /// The current symbol as a digit guess, or nil when it is not a digit.
    func symbolGuess(maxAlternatives: Int) -> DigitGuess? {
        guard let text = takeText(TessResultIteratorGetUTF8Text(pointer, RIL_SYMBOL)),
            isDigit(text)
        else { return nil }
        let confidence = unitConfidence(TessResultIteratorConfidence(pointer, RIL_SYMBOL))
        var alternatives: [DigitCandidate] = []
        if maxAlternatives > 0, let choices = ChoiceIterator(TessResultIteratorGetChoiceIterator(pointer)) {
            repeat {
                guard let choice = choices.text, isDigit(choice), choice != text,
                    !alternatives.contains(where: { $0.text == choice })
                else { continue }
                alternatives.append(DigitCandidate(choice, unitConfidence(choices.confidence)))
            } while choices.next()
            alternatives.sort { $0.confidence > $1.confidence }
            if alternatives.count > maxAlternatives { alternatives.removeLast(alternatives.count - maxAlternatives) }
        }
        return DigitGuess(text: text, confidence: confidence, alternatives: alternatives)
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
