import Dispatch
import Foundation
import Testing
import MeterOCR
import MeterPipeline
import Synchronization

@Suite("ReadRunner")
struct ReadRunnerTests {
    /// Recording a result (the caller's `emit`) runs beside the reading: while the first photo's
    /// result is being handed on, the one worker already takes the next photo. Results still come
    /// out once each, in input order, one at a time.
    @Test func emitsBesideTheReadingInInputOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try (0..<4).map { index in
            let path = folder.appendingPathComponent("photo\(index).jpg").path
            try Data("photo \(index)".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
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
