import Dispatch
import Foundation
import Testing
import MeterOCR
import MeterPipeline
import Synchronization

@Suite("ReadRunner")
struct ReadRunnerTests {
    /// Files of a few bytes each in a fresh folder (removed by the caller).
    static func files(_ count: Int) throws -> (folder: URL, paths: [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let paths = try (0..<count).map { index in
            let path = folder.appendingPathComponent("photo\(index).jpg").path
            try Data("photo \(index)".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        return (folder, paths)
    }

    /// A worker per core fills Dispatch's thread pool: results must still get out while the
    /// workers wait for room to queue theirs (a dispatch queue as the emitter stalled here).
    @Test func aWorkerPerCoreDoesNotStall() throws {
        let (folder, paths) = try Self.files(60)
        defer { try? FileManager.default.removeItem(at: folder) }
        var runner = ReadRunner(jobs: max(2, ProcessInfo.processInfo.activeProcessorCount))
        runner.skip = { _ in true }
        let configured = runner
        let emitted = Mutex(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? configured.run(paths.map { .file($0) }, makeRecognizer: { ScriptedRecognizer(digits: []) }) { _ in
                Thread.sleep(forTimeInterval: 0.002)
                emitted.withLock { $0 += 1 }
            }
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(emitted.withLock { $0 } == 60)
    }

    /// Recording a result (the caller's `emit`) runs beside the reading: while the first photo's
    /// result is being handed on, the one worker already takes the next photo. Results still come
    /// out once each, in input order, one at a time.
    @Test func emitsBesideTheReadingInInputOrder() throws {
        let (folder, files) = try Self.files(4)
        defer { try? FileManager.default.removeItem(at: folder) }
        let taken = Mutex(0)
        let secondTaken = DispatchSemaphore(value: 0)
        var runner = ReadRunner(jobs: 1)
        // Every photo counts as decided already, so none needs a recogniser's work.
        runner.skip = { _ in
            if taken.withLock({ $0 += 1; return $0 }) == 2 { secondTaken.signal() }
            return true
        }
        let emitted = Mutex<[String]>([])
        let inside = Mutex(false)
        let overlapped = Mutex(false)
        let waitedInVain = Mutex(false)
        try runner.run(files.map { .file($0) }, makeRecognizer: { ScriptedRecognizer(digits: []) }) { outcome in
            if inside.withLock({ let was = $0; $0 = true; return was }) { overlapped.withLock { $0 = true } }
            if emitted.withLock({ $0.isEmpty }), secondTaken.wait(timeout: .now() + 10) == .timedOut {
                waitedInVain.withLock { $0 = true }
            }
            emitted.withLock { $0.append(outcome.result.file ?? "") }
            inside.withLock { $0 = false }
        }
        #expect(!waitedInVain.withLock { $0 })
        #expect(emitted.withLock { $0 } == files)
        #expect(!overlapped.withLock { $0 })
    }
}
