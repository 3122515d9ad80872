import ArgumentParser
import Foundation
import MeterPipeline

/// `meterscan eval`: read a labelled photo set and report how well the readings match.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Read a labelled set of photos (samples manifest format) and report accuracy.",
        discussion: """
            Reports the exact integer-reading rate among readable photos, the exact full-reading \
            rate, the wrong-accepted rate (accepted but wrong: the figure that matters most), \
            review and rejected rates, how many unreadable photos were rejected, the same per \
            style and per tag, and a digit confusion matrix.
            """
    )

    @Argument(help: "The manifest CSV (e.g. samples/manifest.csv).")
    var manifest: String

    @Option(help: "Only photos of this split (dev or test); all when omitted.")
    var split: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var engine: EngineOptions



    @Option(name: .customLong("debug-dir"), help: "Write audit pictures for every photo here.")
    var debugDirectory: String?

    @Option(name: .customLong("mistakes"), help: "How many misread photos to list (text output).")
    var mistakesToList: Int = 25

    func run() throws {
        let labels: [LabelledPhoto]
        do {
            labels = try loadManifest(manifest).filter { split == nil || $0.split == split }
        } catch {
            FileHandle.standardError.write(Data("meterscan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let runner = ReadRunner(jobs: engine.jobs, debugPictures: debugDirectory.map(DebugPictures.init))
        let results: [ReadResult]
        do {
            results = try runner.results(
                labels.map { .file($0.path) }, engine: engine.configuration)
        } catch {
            FileHandle.standardError.write(Data("meterscan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var report = EvaluationReport()
        for (label, result) in zip(labels, results) { report.add(label, result) }
        let output = LineWriter()
        if json {
            output.write(try output.json(report))
        } else {
            output.write(ReportFormatter.text(report, mistakes: mistakesToList))
        }
    }
}

/// Plain-text rendering of an evaluation report.
enum ReportFormatter {
    static func text(_ report: EvaluationReport, mistakes: Int) -> String {
        var lines: [String] = []
        func percent(_ value: Double) -> String { String(format: "%5.1f%%", value * 100) }
        func row(_ name: String, _ rates: EvaluationReport.Rates) -> String {
            let name = name.padding(toLength: 16, withPad: " ", startingAt: 0)
            return "\(name) \(String(format: "%5d", rates.photos))  \(percent(rates.integerExactRate))  "
                + "\(percent(rates.fullExactRate))  \(percent(rates.wrongAcceptedRate))  "
                + "\(String(format: "%4d %4d %4d", rates.accepted, rates.review, rates.rejected))  "
                + "\(rates.unreadableRejected)/\(rates.unreadable)".padding(toLength: 10, withPad: " ", startingAt: 0)
                + "\(rates.located)/\(rates.withOutline)"
        }
        let header = "group            photos  int-ok  full-ok  wrong-acc  acc  rev  rej  unread-rej  located"
        lines.append(header)
        lines.append(row("overall", report.overall))
        lines.append("")
        lines.append("by style")
        for (style, rates) in report.byStyle.sorted(by: { $0.key < $1.key }) { lines.append(row(style, rates)) }
        lines.append("")
        lines.append("by tag")
        for (tag, rates) in report.byTag.sorted(by: { $0.key < $1.key }) { lines.append(row(tag, rates)) }
        lines.append("")
        lines.append("digit confusion (rows: label, columns: read)")
        let digits = (0...9).map(String.init)
        lines.append("     " + digits.map { $0.padding(toLength: 5, withPad: " ", startingAt: 0) }.joined() + "?")
        for label in digits {
            let counts = report.confusion[label] ?? [:]
            let cells = digits.map { String(counts[$0] ?? 0).padding(toLength: 5, withPad: " ", startingAt: 0) }
            let other = counts.filter { !digits.contains($0.key) }.values.reduce(0, +)
            lines.append("  \(label)  " + cells.joined() + String(other))
        }
        if !report.reviewReasons.isEmpty {
            lines.append("")
            lines.append("review reasons (right readings held back, wrong readings caught)")
            let reasons = report.reviewReasons.sorted { ($0.value.right, $1.key) > ($1.value.right, $0.key) }
            for (reason, tally) in reasons {
                lines.append(String(format: "  %4d %4d  ", tally.right, tally.wrong) + reason)
            }
        }
        if mistakes > 0, !report.mistakes.isEmpty {
            lines.append("")
            lines.append("misread (file, label, read, status), first \(min(mistakes, report.mistakes.count)) of \(report.mistakes.count)")
            for mistake in report.mistakes.prefix(mistakes) { lines.append("  " + mistake.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }
}
