import Foundation
public import MeterImage
public import MeterOCR
public import MeterVision

// `meterscan eval-digits`: how well a recogniser reads the labelled digit crops of a folder in
// the shared/data/meter-digits format (`labels.csv` with `file,value,visible,state,kind,source`
// and the crops in `images/`).

/// One labelled digit crop.
public struct DigitSample: Sendable, Hashable {
    /// Whether the drum shows one digit or is caught between two.
    public enum State: String, Sendable, Hashable, Codable {
        case clean, rolling
    }

    /// File name inside `images/`.
    public var file: String
    /// Drum position in tenths, as written in the labels (`5.8`).
    public var value: String
    /// The digit shown (`clean`), or the two neighbours, lower first (`rolling`).
    public var expected: [String]
    /// Clean or rolling.
    public var state: State
    /// Meter kind (`watermeter`, `lcd`, …).
    public var kind: String
    /// The picture or meter the crop was cut from: crops of one source form one counter.
    public var source: String

    /// A sample as the labels file describes it.
    public init(file: String, value: String, expected: [String], state: State, kind: String, source: String) {
        self.file = file
        self.value = value
        self.expected = expected
        self.state = state
        self.kind = kind
        self.source = source
    }
}

/// Why an evaluation could not run.
public enum DigitEvaluationError: Error, Sendable, CustomStringConvertible {
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// `labels.csv` does not have the expected shape.
    case malformedLabels(path: String, line: Int, reason: String)
    /// The recogniser failed as a whole.
    case engine(OCRError)

    /// A one-line message.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .malformedLabels(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .engine(let error): error.description
        }
    }
}

/// Parses a `labels.csv`: the exact header, then six plain (unquoted) fields per row.
public func parseDigitLabels(_ text: String, path: String = "labels.csv") throws(DigitEvaluationError)
    -> [DigitSample]
{
    let header = "file,value,visible,state,kind,source"
    // "\r\n" is one Character in Swift: split on both line ends.
    var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    guard let first = lines.first else {
        throw .malformedLabels(path: path, line: 1, reason: "empty file, expected the header \(header)")
    }
    guard first == header[...] else {
        throw .malformedLabels(path: path, line: 1, reason: "header is \"\(first.prefix(80))\", expected \"\(header)\"")
    }
    var samples: [DigitSample] = []
    samples.reserveCapacity(lines.count - 1)
    for (offset, line) in lines.enumerated().dropFirst() {
        let number = offset + 1
        func fail(_ reason: String) -> DigitEvaluationError {
            .malformedLabels(path: path, line: number, reason: reason)
        }
        if line.contains("\"") { throw fail("quoted fields are not supported") }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6 else { throw fail("expected 6 fields, found \(fields.count)") }
        let (file, value, visible, stateText, kind, source) =
            (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
        guard !file.isEmpty, !file.contains("/"), file != "..", file != "." else {
            throw fail("file must be a plain file name inside images/, got \"\(file)\"")
        }
        guard let state = DigitSample.State(rawValue: stateText) else {
            throw fail("state must be clean or rolling, got \"\(stateText)\"")
        }
        let expected = visible.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let digitsOK = expected.allSatisfy { $0.count == 1 && $0.first!.isASCII && $0.first!.isNumber }
        switch state {
        case .clean where expected.count != 1 || !digitsOK:
            throw fail("a clean digit needs one visible digit, got \"\(visible)\"")
        case .rolling where expected.count != 2 || !digitsOK:
            throw fail("a rolling digit needs visible a|b, got \"\(visible)\"")
        default: break
        }
        guard !kind.isEmpty else { throw fail("kind is empty") }
        samples.append(
            DigitSample(file: file, value: value, expected: expected, state: state, kind: kind, source: source))
    }
    return samples
}

/// `limit` samples spread evenly over the list (sample `i * count / limit` for each `i`), in
/// order; nil, or a limit at least the count, keeps all. Deterministic, so runs compare.
public func evenlySpaced(_ samples: [DigitSample], limit: Int?) -> [DigitSample] {
    guard let limit, limit < samples.count else { return samples }
    guard limit > 0 else { return [] }
    return (0..<limit).map { samples[$0 * samples.count / limit] }
}

/// How cells are shown to the recogniser.
public enum DigitEvaluationMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each crop alone, through `recognizeDigit`.
    case cell
    /// Consecutive crops of one source side by side, through `recognizeLine`.
    case line
}

/// What to evaluate and how.
public struct DigitEvaluationOptions: Sendable {
    /// Cell or line.
    public var mode: DigitEvaluationMode
    /// Evaluate an evenly spaced subset of at most this many crops.
    public var limit: Int?
    /// How each crop is prepared before recognition.
    public var preparation: CellPreparationOptions
    /// Crops per line image in line mode.
    public var lineLength: Int
    /// In cell mode with the polarity guessed from the crop's pixels, a reading less sure than
    /// this is checked against the cell's negative (0 turns the check off); see
    /// `DigitEvaluator.readCell`.
    public var polarityCheckBelow: Double

    /// The defaults: cell mode, all crops, the standard preparation, lines of 5, the polarity
    /// checked below 0.7.
    public init(
        mode: DigitEvaluationMode = .cell, limit: Int? = nil,
        preparation: CellPreparationOptions = .standard, lineLength: Int = 5,
        polarityCheckBelow: Double = 0.7
    ) {
        precondition(lineLength > 0, "lineLength must be positive")
        self.mode = mode
        self.limit = limit
        self.preparation = preparation
        self.lineLength = lineLength
        self.polarityCheckBelow = polarityCheckBelow
    }
}

/// Counts for one group of crops (one kind, or all).
public struct DigitScore: Sendable, Hashable, Encodable {
    /// Clean crops evaluated.
    public var clean = 0
    /// Clean crops read as their visible digit.
    public var cleanCorrect = 0
    /// Clean crops whose visible digit is the best guess or the first alternative.
    public var cleanTopTwo = 0
    /// Clean crops read as nothing.
    public var cleanEmpty = 0
    /// Rolling crops evaluated.
    public var rolling = 0
    /// Rolling crops read as either neighbour.
    public var rollingEither = 0
    /// Rolling crops whose best guess and first alternative are exactly the two neighbours.
    public var rollingTopTwoNeighbours = 0
    /// Rolling crops read as nothing.
    public var rollingEmpty = 0

    /// A score with nothing counted.
    public init() {}

    /// Share of clean crops read correctly (0 when there are none).
    public var cleanAccuracy: Double { ratio(cleanCorrect, clean) }
    /// Share of rolling crops read as either neighbour.
    public var rollingAccuracy: Double { ratio(rollingEither, rolling) }

    mutating func add(_ sample: DigitSample, _ guess: DigitGuess) {
        let topTwo = [guess.text] + guess.alternatives.prefix(1).map(\.text)
        switch sample.state {
        case .clean:
            clean += 1
            if guess.text == sample.expected[0] { cleanCorrect += 1 }
            if topTwo.contains(sample.expected[0]) { cleanTopTwo += 1 }
            if guess.text.isEmpty { cleanEmpty += 1 }
        case .rolling:
            rolling += 1
            if sample.expected.contains(guess.text) { rollingEither += 1 }
            if topTwo.count == 2, Set(topTwo) == Set(sample.expected) { rollingTopTwoNeighbours += 1 }
            if guess.text.isEmpty { rollingEmpty += 1 }
        }
    }

    mutating func add(_ other: DigitScore) {
        clean += other.clean
        cleanCorrect += other.cleanCorrect
        cleanTopTwo += other.cleanTopTwo
        cleanEmpty += other.cleanEmpty
        rolling += other.rolling
        rollingEither += other.rollingEither
        rollingTopTwoNeighbours += other.rollingTopTwoNeighbours
        rollingEmpty += other.rollingEmpty
    }

    enum CodingKeys: String, CodingKey {
        case clean, rolling
        case cleanCorrect = "clean_correct", cleanTopTwo = "clean_top2", cleanEmpty = "clean_empty"
        case rollingEither = "rolling_either", rollingEmpty = "rolling_empty"
        case rollingTopTwoNeighbours = "rolling_top2_neighbours"
        case cleanAccuracy = "clean_accuracy", rollingAccuracy = "rolling_accuracy"
    }

    /// The counts plus the two accuracies.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clean, forKey: .clean)
        try container.encode(cleanCorrect, forKey: .cleanCorrect)
        try container.encode(cleanTopTwo, forKey: .cleanTopTwo)
        try container.encode(cleanEmpty, forKey: .cleanEmpty)
        try container.encode(cleanAccuracy, forKey: .cleanAccuracy)
        try container.encode(rolling, forKey: .rolling)
        try container.encode(rollingEither, forKey: .rollingEither)
        try container.encode(rollingTopTwoNeighbours, forKey: .rollingTopTwoNeighbours)
        try container.encode(rollingEmpty, forKey: .rollingEmpty)
        try container.encode(rollingAccuracy, forKey: .rollingAccuracy)
    }
}

private func ratio(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }

/// The outcome of `DigitEvaluator.evaluate`.
public struct DigitEvaluationReport: Sendable, Encodable {
    /// Cell or line.
    public var mode: DigitEvaluationMode
    /// Crops evaluated (decoded and recognised).
    public var evaluated = 0
    /// Everything together.
    public var overall = DigitScore()
    /// Per meter kind.
    public var kinds: [String: DigitScore] = [:]
    /// Clean digits: `confusion[truth][read]`, column 10 counting empty reads.
    public var confusion = [[Int]](repeating: [Int](repeating: 0, count: 11), count: 10)
    /// Crops that could not be read from disk or decoded (not evaluated).
    public var undecodable = 0
    /// The first few decode errors.
    public var errors: [String] = []
    /// Line mode: lines recognised and lines whose every digit was right.
    public var lines = 0
    /// See `lines`.
    public var linesExact = 0
    /// Time spent preparing crops, per crop.
    public var prepareMillisecondsPerDigit = 0.0
    /// Time spent in the recogniser, per crop.
    public var recognizeMillisecondsPerDigit = 0.0

    init(mode: DigitEvaluationMode) { self.mode = mode }

    enum CodingKeys: String, CodingKey {
        case mode, evaluated, overall, kinds, confusion, undecodable, errors, lines
        case linesExact = "lines_exact"
        case prepareMillisecondsPerDigit = "prepare_ms_per_digit"
        case recognizeMillisecondsPerDigit = "recognize_ms_per_digit"
    }

    mutating func record(_ sample: DigitSample, _ guess: DigitGuess) {
        evaluated += 1
        overall.add(sample, guess)
        kinds[sample.kind, default: DigitScore()].add(sample, guess)
        if sample.state == .clean, let truth = Int(sample.expected[0]) {
            confusion[truth][Int(guess.text) ?? 10] += 1
        }
    }
}

/// Runs a recogniser over labelled crops.
public struct DigitEvaluator {
    /// The engine under test (one instance; the evaluation is sequential).
    public let recognizer: any DigitRecognizer
    /// What to evaluate and how.
    public let options: DigitEvaluationOptions

    /// An evaluator of `recognizer` with `options`.
    public init(recognizer: any DigitRecognizer, options: DigitEvaluationOptions) {
        self.recognizer = recognizer
        self.options = options
    }

    /// Evaluates the folder `directory` (`labels.csv` and `images/`). `progress` is called
    /// with the crops done and the total, now and then.
    public func evaluate(directory: String, progress: ((Int, Int) -> Void)? = nil)
        throws(DigitEvaluationError) -> DigitEvaluationReport
    {
        let labelsPath = directory + "/labels.csv"
        let text: String
        do {
            text = try String(contentsOfFile: labelsPath, encoding: .utf8)
        } catch {
            throw .unreadable(path: labelsPath, reason: error.localizedDescription)
        }
        let samples = evenlySpaced(try parseDigitLabels(text, path: labelsPath), limit: options.limit)
        let images = directory + "/images/"
        return try evaluate(samples, progress: progress) { sample throws(DigitEvaluationError) in
            let path = images + sample.file
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadable(path: path, reason: "no such file or not readable")
            }
            do throws(DecodeError) {
                return try decode([UInt8](data)).image
            } catch {
                throw .unreadable(path: path, reason: error.description)
            }
        }
    }

    /// One prepared crop's reading. A crop alone gives no row whose threshold pass tells its
    /// polarity, as the reader's cells have: the preparation guesses it from the crop, and
    /// light drums on a dark ground (watermeter/pp, among the inner validation meters of
    /// training/cnn) are often left light on dark. Where the recogniser is unsure
    /// (`polarityCheckBelow`), it also reads the cell's negative, and the surer reading counts.
    /// The reader itself never does this: it knows the polarity, and checking its unsure cells
    /// so made more of them wrong than right on the tuning photos.
    func readCell(_ cell: Image) throws(OCRError) -> DigitGuess {
        let guess = try recognizer.recognizeDigit(cell)
        guard options.preparation.normalizePolarity, guess.confidence < options.polarityCheckBelow else {
            return guess
        }
        let negative = try recognizer.recognizeDigit(cell.inverted())
        return negative.confidence > guess.confidence ? negative : guess
    }

    /// Evaluates `samples`, loading each crop with `load`. A crop `load` cannot deliver is
    /// counted as undecodable; a recogniser failure ends the evaluation.
    public func evaluate(
        _ samples: [DigitSample], progress: ((Int, Int) -> Void)? = nil,
        load: (DigitSample) throws(DigitEvaluationError) -> Image
    ) throws(DigitEvaluationError) -> DigitEvaluationReport {
        var report = DigitEvaluationReport(mode: options.mode)
        let clock = ContinuousClock()
        var prepareTime = Duration.zero
        var recognizeTime = Duration.zero
        var done = 0

        func loadPrepared(_ sample: DigitSample) -> Image? {
            let image: Image
            do {
                image = try load(sample)
            } catch {
                report.undecodable += 1
                if report.errors.count < 10 { report.errors.append(error.description) }
                return nil
            }
            let start = clock.now
            let prepared = prepareCellForOCR(image, options: options.preparation)
            prepareTime += clock.now - start
            return prepared
        }

        switch options.mode {
        case .cell:
            for sample in samples {
                done += 1
                if done % 200 == 0 { progress?(done, samples.count) }
                guard let cell = loadPrepared(sample) else { continue }
                let start = clock.now
                let guess: DigitGuess
                do { guess = try readCell(cell) } catch { throw .engine(error) }
                recognizeTime += clock.now - start
                report.record(sample, guess)
            }
        case .line:
            for group in lineGroups(samples, length: options.lineLength) {
                done += group.count
                progress?(done, samples.count)
                var cells: [Image] = []
                var members: [DigitSample] = []
                for sample in group {
                    guard let cell = loadPrepared(sample) else { continue }
                    cells.append(cell)
                    members.append(sample)
                }
                guard !cells.isEmpty else { continue }
                let line = concatenate(cells)
                let start = clock.now
                let guesses: [DigitGuess]
                do { guesses = try recognizer.recognizeLine(line) } catch { throw .engine(error) }
                recognizeTime += clock.now - start
                let assigned = align(guesses, to: members)
                var exact = true
                for (sample, guess) in zip(members, assigned) {
                    report.record(sample, guess)
                    if !sample.expected.contains(guess.text) { exact = false }
                }
                report.lines += 1
                if exact && guesses.count == members.count { report.linesExact += 1 }
            }
        }
        progress?(samples.count, samples.count)
        if report.evaluated > 0 {
            report.prepareMillisecondsPerDigit = evaluationMilliseconds(prepareTime) / Double(report.evaluated)
            report.recognizeMillisecondsPerDigit = evaluationMilliseconds(recognizeTime) / Double(report.evaluated)
        }
        return report
    }
}

private func evaluationMilliseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
}

/// Consecutive samples of one source, in runs of at most `length` (sources in order of first
/// appearance, samples in file order).
func lineGroups(_ samples: [DigitSample], length: Int) -> [[DigitSample]] {
    var order: [String] = []
    var bySource: [String: [DigitSample]] = [:]
    for sample in samples {
        if bySource[sample.source] == nil { order.append(sample.source) }
        bySource[sample.source, default: []].append(sample)
    }
    return order.flatMap { source in
        let members = bySource[source]!
        return stride(from: 0, to: members.count, by: length).map {
            Array(members[$0..<min($0 + length, members.count)])
        }
    }
}

/// Gray cells side by side, each centred vertically on white.
func concatenate(_ cells: [Image]) -> Image {
    let height = cells.map(\.height).max() ?? 0
    let width = cells.reduce(0) { $0 + $1.width }
    var pixels = [UInt8](repeating: 255, count: width * height)
    var left = 0
    for cell in cells {
        let gray = cell.format == .gray ? cell : Image(
            width: cell.width, height: cell.height, format: .gray,
            pixels: stride(from: 0, to: cell.pixels.count, by: 3).map { cell.pixels[$0 + 1] })
        let top = (height - gray.height) / 2
        for y in 0..<gray.height {
            let target = (top + y) * width + left
            pixels.replaceSubrange(target..<target + gray.width, with: gray.pixels[(y * gray.width)..<((y + 1) * gray.width)])
        }
        left += gray.width
    }
    return Image(width: width, height: height, format: .gray, pixels: pixels)
}

/// Assigns the digits a line read to the crops it was made of: the alignment with the fewest
/// edits (a digit matching any digit a crop may show costs nothing). Crops left without a
/// digit get `.empty`.
func align(_ guesses: [DigitGuess], to samples: [DigitSample]) -> [DigitGuess] {
    let rows = samples.count
    let columns = guesses.count
    var cost = [[Int]](repeating: [Int](repeating: 0, count: columns + 1), count: rows + 1)
    for row in 0...rows { cost[row][0] = row }
    for column in 0...columns { cost[0][column] = column }
    if rows > 0 && columns > 0 {
        for row in 1...rows {
            for column in 1...columns {
                let match = samples[row - 1].expected.contains(guesses[column - 1].text) ? 0 : 1
                cost[row][column] = min(
                    cost[row - 1][column - 1] + match, cost[row - 1][column] + 1, cost[row][column - 1] + 1)
            }
        }
    }
    var assigned = [DigitGuess](repeating: .empty, count: rows)
    var row = rows
    var column = columns
    while row > 0 && column > 0 {
        let match = samples[row - 1].expected.contains(guesses[column - 1].text) ? 0 : 1
        if cost[row][column] == cost[row - 1][column - 1] + match {
            assigned[row - 1] = guesses[column - 1]
            row -= 1
            column -= 1
        } else if cost[row][column] == cost[row - 1][column] + 1 {
            row -= 1
        } else {
            column -= 1
        }
    }
    return assigned
}
