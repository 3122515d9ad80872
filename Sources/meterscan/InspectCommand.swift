import ArgumentParser
import Foundation
import MeterImage
import MeterPipeline

/// `meterscan inspect`: decode each photo and report its format, upright size and decode time.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode photos and report format, upright size, orientation and decode time.",
        discussion: """
            Directories are searched recursively for JPEG and PNG files (by extension or by \
            content); files named explicitly are always inspected. One line per file on \
            stdout. Exit code 0 when every file decoded, 1 when any failed.
            """
    )

    /// Output shape of the per-file lines.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, text
    }

    @Argument(help: "Photo files or directories.")
    var paths: [String] = []

    @Option(help: "Output format: jsonl (one JSON object per line) or text.")
    var format: Format = .jsonl

    @Flag(help: "Decode to gray instead of RGB (as the reading pipeline does).")
    var gray = false

    @Option(
        name: .customLong("min-size"),
        help: ArgumentHelp(
            "Decode JPEGs DCT-downscaled as far as the upright result stays at least WxH.",
            valueName: "WxH"))
    var minimumSize: String?

    @Option(name: .customLong("max-megapixels"), help: "Refuse pictures larger than this.")
    var maxMegapixels: Double = 50

    @Option(name: .customLong("max-file-mb"), help: "Refuse files larger than this many MiB.")
    var maxFileMiB: Double = 40

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or directory.") }
        if maxMegapixels <= 0 { throw ValidationError("--max-megapixels must be positive.") }
        if maxFileMiB <= 0 { throw ValidationError("--max-file-mb must be positive.") }
        if let minimumSize, parseSize(minimumSize) == nil {
            throw ValidationError("--min-size takes WIDTHxHEIGHT, e.g. 800x600.")
        }
    }

    func run() throws {
        let options = DecodeOptions(
            maxFileBytes: Int(maxFileMiB * 1_048_576),
            maxPixels: Int(maxMegapixels * 1_000_000),
            pixelFormat: gray ? .gray : .rgb,
            minimumSize: minimumSize.flatMap(parseSize))
        let inspector = PhotoInspector(options: options)
        let output = LineWriter()
        var failures = 0
        for entry in InputFiles(paths: paths).entries() {
            let record = inspector.inspect(entry)
            if !record.succeeded { failures += 1 }
            switch format {
            case .jsonl: output.write(try output.json(record))
            case .text: output.write(textLine(record))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func textLine(_ record: InspectionRecord) -> String {
        guard let format = record.format, let width = record.width, let height = record.height
        else { return "\(record.file): error: \(record.error ?? "unknown")" }
        var line = "\(record.file): \(format.rawValue.uppercased()) \(width)×\(height)"
        if let orientation = record.orientation, orientation != 1 {
            line += " (EXIF orientation \(orientation))"
        }
        if record.progressive == true { line += " progressive" }
        if let scale = record.scale, scale > 1 {
            line += ", decoded 1/\(scale) to \(record.decodedWidth ?? 0)×\(record.decodedHeight ?? 0)"
        }
        if let milliseconds = record.decodeMilliseconds { line += " in \(milliseconds) ms" }
        return line
    }
}

/// Parses "800x600" (or "800×600").
private func parseSize(_ text: String) -> (width: Int, height: Int)? {
    let parts = text.lowercased().split(whereSeparator: { $0 == "x" || $0 == "×" })
    guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0,
        height > 0
    else { return nil }
    return (width, height)
}
