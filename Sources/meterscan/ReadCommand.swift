import ArgumentParser
import Foundation
import MeterPipeline

/// `meterscan read`: read the counter in each photo and print one result line per photo.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read the meter counter in photos; one JSON result line per photo.",
        discussion: """
            Directories are searched recursively for JPEG and PNG files. Exit code 0 when every \
            photo was accepted, 1 when any went to review or was rejected, 2 when the OCR model \
            is missing.
            """
    )

    @Argument(help: "Photo files or directories.")
    var paths: [String] = []

    @Option(help: "Worker threads (default: number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("debug-dir"), help: "Write audit pictures (counter box, straightened counter, cells) here.")
    var debugDirectory: String?

    @Option(name: .customLong("tessdata"), help: "Folder holding the .traineddata model (default: TESSDATA_PREFIX, then Debian's).")
    var tessdata: String?

    @Option(help: "Tesseract model: eng (stock, the default) or meterdigits (ours, bundled; better on real digit crops, not yet on the samples).")
    var model: String = "eng"

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or directory.") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    func run() throws {
        let entries = InputFiles(paths: paths).entries()
        let runner = ReadRunner(jobs: jobs, debugPictures: debugDirectory.map(DebugPictures.init))
        let output = LineWriter()
        let notAccepted = Counter()
        let tessdata = self.tessdata
        let model = self.model
        do {
            try runner.run(entries, engine: EngineConfiguration(dataPath: tessdata, language: model)) { result in
                if !result.isAccepted { notAccepted.increment() }
                output.write((try? output.json(result)) ?? "{}")
            }
        } catch {
            FileHandle.standardError.write(Data("meterscan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if notAccepted.value > 0 { throw ExitCode(1) }
    }
}

/// A thread-safe count for the emit callback.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
