import ArgumentParser
import Foundation
import MeterOCR
import MeterPipeline
import MeterVision

/// `meterscan eval-digits`: how well the recogniser reads labelled digit crops.
struct EvalDigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-digits",
        abstract: "Read labelled digit crops (meter-digits format) and report OCR accuracy.",
        discussion: """
            DIR holds labels.csv (file,value,visible,state,kind,source) and images/. Reports, \
            per meter kind and overall: clean-digit accuracy, rolling digits read as either \
            neighbour and how often the top two choices are exactly the two neighbours, empty \
            reads, a confusion matrix of clean digits and the time per digit. Exit code 0 when \
            the evaluation ran, 2 when it could not (model or labels missing), 64 on bad usage.
            """
    )

    /// How crops are prepared before recognition.
    enum Preparation: String, ExpressibleByArgument, CaseIterable {
        case standard, naive
    }

    /// How crops are shown to the recogniser.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case cell, line
    }

    @Argument(help: "Folder with labels.csv and images/.")
    var directory: String

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Option(help: "cell: each crop alone; line: consecutive crops of one source side by side.")
    var mode: Mode = .cell

    @Option(help: "Evaluate an evenly spaced subset of at most N crops.")
    var limit: Int?

    @Option(help: "Folder holding the .traineddata model (default: $TESSDATA_PREFIX, else Debian's).")
    var tessdata: String?

    @Option(help: "Tesseract model name, or digitnet for the bundled digit network (a CNN cell classifier; --tessdata then names the folder holding digitnet.bin, and digitnet-2.bin if it is to be consulted).")
    var language: String = "eng"

    @Option(help: "standard: the pipeline's preparation; naive: gray and scaled only.")
    var preparation: Preparation = .standard

    @Flag(help: "Restrict Tesseract to 0-9 with its whitelist instead of picking digits among its choices.")
    var whitelist = false

    @Option(name: .customLong("line-length"), help: "Crops per line in line mode.")
    var lineLength: Int = 5

    @Option(
        name: .customLong("polarity-check-below"),
        help: "Cell mode, standard preparation: a reading less sure than this is checked against the cell's negative, and the surer counts (a lone crop's polarity is guessed; 0: off).")
    var polarityCheckBelow: Double = 0.7

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive.") }
        if lineLength <= 0 { throw ValidationError("--line-length must be positive.") }
        if !(0...1).contains(polarityCheckBelow) {
            throw ValidationError("--polarity-check-below is a confidence between 0 and 1.")
        }
        if language == EngineConfiguration.digitNetwork, whitelist {
            throw ValidationError("--whitelist is a Tesseract setting; digitnet reads only digits anyway.")
        }
        if language == EngineConfiguration.digitNetwork, mode == .line {
            throw ValidationError("digitnet classifies single cells: use --mode cell.")
        }
    }

    func run() throws {
        let recognizer: any DigitRecognizer
        do {
            if language == EngineConfiguration.digitNetwork {
                recognizer = try EngineConfiguration(dataPath: tessdata, language: language).makeRecognizer()
            } else {
                recognizer = try TesseractRecognizer(
                    dataPath: tessdata, language: language, settings: whitelist ? .whitelist : .standard)
            }
        } catch {
            FileHandle.standardError.write(Data("meterscan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let options = DigitEvaluationOptions(
            mode: mode == .cell ? .cell : .line, limit: limit,
            preparation: preparation == .standard ? .standard : .naive, lineLength: lineLength,
            polarityCheckBelow: polarityCheckBelow)
        let showProgress = isatty(STDERR_FILENO) != 0
        let report: DigitEvaluationReport
        do {
            report = try DigitEvaluator(recognizer: recognizer, options: options).evaluate(
                directory: directory,
                progress: showProgress
                    ? { done, total in
                        FileHandle.standardError.write(Data("\r\(done)/\(total)".utf8))
                        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
                    } : nil)
        } catch {
            FileHandle.standardError.write(Data("meterscan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let output = LineWriter()
        output.write(json ? try output.json(report) : DigitReportText.render(report))
    }
}

/// Plain-text rendering of a digit evaluation.
private enum DigitReportText {
    static func render(_ report: DigitEvaluationReport) -> String {
        func percent(_ part: Int, _ whole: Int) -> String {
            whole == 0 ? "    -" : String(format: "%5.1f", Double(part) * 100 / Double(whole))
        }
        func column(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        func row(_ name: String, _ score: DigitScore) -> String {
            name.padding(toLength: 12, withPad: " ", startingAt: 0)
                + column(String(score.clean), 6) + "  " + percent(score.cleanCorrect, score.clean)
                + "  " + percent(score.cleanTopTwo, score.clean) + "  " + percent(score.cleanEmpty, score.clean)
                + column(String(score.rolling), 9) + "  " + percent(score.rollingEither, score.rolling)
                + "     " + percent(score.rollingTopTwoNeighbours, score.rolling)
                + "  " + percent(score.rollingEmpty, score.rolling)
        }
        var lines = [
            "kind         clean  ok %  top2%  empty%  rolling  either%  top2=nbrs%  empty%"
        ]
        for kind in report.kinds.keys.sorted() { lines.append(row(kind, report.kinds[kind]!)) }
        lines.append(row("overall", report.overall))
        lines.append("")
        lines.append("clean digits, rows: visible, columns: read (- = empty)")
        lines.append("     " + (0...9).map { column(String($0), 5) }.joined() + column("-", 5))
        for (truth, counts) in report.confusion.enumerated() {
            lines.append("  \(truth)  " + counts.map { column(String($0), 5) }.joined())
        }
        lines.append("")
        if report.mode == .line {
            lines.append("lines: \(report.lines), every digit right: \(report.linesExact)")
        }
        lines.append(
            String(
                format: "%d crops, %.3f ms preparing and %.2f ms recognising per digit",
                report.evaluated, report.prepareMillisecondsPerDigit, report.recognizeMillisecondsPerDigit))
        if report.undecodable > 0 {
            lines.append("\(report.undecodable) crops could not be read:")
            lines += report.errors.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
