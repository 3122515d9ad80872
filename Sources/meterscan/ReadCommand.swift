import ArgumentParser
import Foundation
import MeterPipeline
import Synchronization

/// `meterscan read`: read the counter in each photo and print one result line per photo.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read the meter counter in photos; one JSON result line per photo.",
        discussion: """
            Directories are searched recursively for JPEG and PNG files. Without --state the \
            status comes from recognition alone. With --state each reading is checked against \
            the meter's registry and history, recorded, and queued for billing when accepted \
            (the same photo twice is decided once). Exit code 0 when every photo was accepted, \
            1 when any went to review or was rejected, 2 when the OCR model is missing or the \
            state cannot be written, 75 when the database stayed busy.
            """
    )

    @Argument(help: "Photo files or directories.")
    var paths: [String] = []

    @OptionGroup var engine: EngineOptions

    @Option(name: .customLong("debug-dir"), help: "Write audit pictures (counter box, straightened counter, cells) here.")
    var debugDirectory: String?


    @Option(name: .customLong("state"), help: "State directory: validate against the registry, record and queue (e.g. meterscan-data).")
    var stateDirectory: String?

    @Option(name: .customLong("store"), help: ArgumentHelp("Shared PostgreSQL store (see `meterscan batch --help`).", valueName: "url"))
    var storeURL: String?

    @Option(help: "Meter number the photos show (needs --state).")
    var meter: String?

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or directory.") }
        if meter != nil && stateDirectory == nil { throw ValidationError("--meter needs --state.") }
    }

    func run() throws {
        let recorder = try stateDirectory.map { try ReadingRecorder(state: openState($0, storeURL: storeURL)) }
        let entries = InputFiles(paths: paths).entries()
        var runner = ReadRunner(jobs: engine.jobs, debugPictures: debugDirectory.map(DebugPictures.init))
        runner.keepsAuditCrops = recorder != nil
        let stopSignal = runner.stopSignal
        let output = LineWriter()
        let notAccepted = Counter()
        let storeFailure = Mutex<StateError?>(nil)
        let intake = Intake(meterNumber: meter, channel: "file")
        do {
            try runner.run(entries, engine: engine.configuration) { outcome in
                var result = outcome.result
                if let recorder {
                    guard storeFailure.withLock({ $0 == nil }) else { return }
                    var photoIntake = intake
                    photoIntake.receivedAt = Date()
                    do throws(StateError) {
                        result = try recorder.record(outcome, intake: photoIntake)
                    } catch {
                        // Nothing half-recorded: this photo's transaction rolled back. Stop
                        // taking photos; the ones before it stay recorded.
                        storeFailure.withLock { $0 = error }
                        stopSignal.raise()
                        return
                    }
                }
                if !result.isAccepted { notAccepted.increment() }
                output.write((try? output.json(result)) ?? "{}")
            }
        } catch {
            FileHandle.standardError.write(Data("meterscan: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let failure = storeFailure.withLock({ $0 }) {
            FileHandle.standardError.write(Data("meterscan: \(failure)\n".utf8))
            throw ExitCode(failure.exitCode)
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
