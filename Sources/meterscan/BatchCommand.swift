import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue
import Synchronization

/// `meterscan batch`: a clerk's run over a folder of photos, validated, recorded and queued.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Read, validate, record and queue every photo in folders or files.",
        discussion: """
            Folders are searched recursively for JPEG and PNG files. Each photo is tied to a \
            meter by --meter, else by a registered meter number in its file name. Photos \
            decided before (same content) are skipped unless --force, so an interrupted run \
            can simply be started again. Results go to stdout or --out FILE (written whole: \
            FILE appears only when the run ends); a progress bar and a summary go to stderr. \
            Ctrl-C finishes the photos in flight, prints the summary and exits 130. Exit code 0 \
            when every photo read was accepted, 1 otherwise, 2 on a fatal error.
            """
    )

    @Argument(help: "Photo files or directories.")
    var paths: [String] = []

    @OptionGroup var state: StateOptions

    @OptionGroup var engine: EngineOptions

    @Option(help: "Write results to this file instead of stdout.")
    var out: String?

    @Option(help: "jsonl (one result per line, the result contract) or csv.")
    var format: ResultFormat = .jsonl

    @Option(help: "Meter number all photos show (default: found in each file name).")
    var meter: String?

    @Flag(help: "Read photos again even if they were decided before.")
    var force = false

    @Flag(help: "No progress bar and no summary.")
    var quiet = false

    @Option(help: "Language of the replies: de or en.")
    var lang: LanguageOption = .de



    @Option(name: .customLong("debug-dir"), help: "Write audit pictures here.")
    var debugDirectory: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or directory.") }
    }

    func run() throws {
        Interruption.install()
        let meterState = try state.open()
        var configured = ReadingRecorder(state: meterState)
        configured.language = lang.language
        let recorder = configured
        let entries = InputFiles(paths: paths).entries()
        var runner = ReadRunner(jobs: engine.jobs, debugPictures: debugDirectory.map(DebugPictures.init))
        runner.keepsAuditCrops = true
        if !force {
            let store = meterState.store
            runner.skip = { digest in (try? store.hasDecision(imageSHA256: digest)) ?? false }
        }
        let stopSignal = runner.stopSignal
        let sink = try ResultFile(path: out, format: format)
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        let progress = showProgress
            ? ProgressBar(total: entries.count, colored: ProcessInfo.processInfo.environment["NO_COLOR"] == nil) : nil
        let tally = Mutex(RunTally())
        let failure = Mutex<StateError?>(nil)
        let meter = self.meter
        do {
            try runner.run(entries, engine: engine.configuration) { outcome in
                defer { progress?.advance() }
                if outcome.skipped {
                    tally.withLock { $0.skipped += 1 }
                    return
                }
                guard failure.withLock({ $0 == nil }) else { return }
                let intake = Intake(
                    meterNumber: meter, caption: outcome.result.file.map(Self.captionFromFileName), channel: "file")
                var result: ReadResult
                do throws(StateError) {
                    result = try recorder.record(outcome, intake: intake)
                } catch {
                    failure.withLock { $0 = error }
                    stopSignal.raise()
                    return
                }
                tally.withLock { $0.count(result) }
                sink.write(result)
            }
        } catch {
            progress?.finish()
            printError("meterscan: \(error)")
            throw ExitCode(2)
        }
        progress?.finish()
        try sink.finish()
        let final = tally.withLock { $0 }
        if !quiet { printError(final.summary) }
        if let failure = failure.withLock({ $0 }) {
            printError("meterscan: \(failure)")
            throw ExitCode(failure.exitCode)
        }
        if Interruption.isSet {
            printError("meterscan: interrupted; photos not reached are read when the batch is run again")
            throw ExitCode(130)
        }
        if !final.allAccepted { throw ExitCode(1) }
    }

    /// The file name without folder and extension: a meter number in it identifies the meter.
    static func captionFromFileName(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}

/// `--lang`: the reply language as the command line spells it.
enum LanguageOption: String, ExpressibleByArgument, CaseIterable {
    case de, en

    /// The pipeline's language.
    var language: ReplyLanguage { self == .de ? .de : .en }
}

/// Output format of result records.
enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, csv
}
