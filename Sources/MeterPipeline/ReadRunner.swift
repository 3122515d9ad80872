import Crypto
import Dispatch
import Foundation
import MeterImage
public import MeterOCR
import MeterReading
import MeterVision
import Synchronization

/// Reads many photos on `jobs` worker threads, each with its own recogniser, and hands the
/// results back in input order as soon as each one's turn comes.
public struct ReadRunner: Sendable {
    /// Worker threads (one recogniser each).
    public var jobs: Int
    /// Stage settings for every worker.
    public var settings: ReaderSettings
    /// Where to write audit pictures, if anywhere.
    public var debugPictures: DebugPictures?
    /// Encode each counter crop as PNG for the state's audit folder (costs a few ms per photo).
    public var keepsAuditCrops = false
    /// Once raised, workers take no new photos; those in flight finish and are emitted.
    public var stopSignal = StopSignal()
    /// Asked with each photo's SHA-256 before it is read: true skips the photo (already
    /// decided), and its outcome comes back with `skipped` set.
    public var skip: (@Sendable (String) -> Bool)? = nil

    /// A runner with `jobs` workers.
    public init(jobs: Int, settings: ReaderSettings = ReaderSettings(), debugPictures: DebugPictures? = nil) {
        self.jobs = max(1, jobs)
        self.settings = settings
        self.debugPictures = debugPictures
    }

    /// Processes every entry; `emit` is called once per entry, in entry order, never concurrently,
    /// on a thread of its own (it overlaps the reading of later entries).
    /// Throws only when a recogniser cannot be created or the engine fails outright.
    public func run(
        _ entries: [InputFiles.Entry],
        makeRecognizer: @escaping @Sendable () throws(OCRError) -> any DigitRecognizer,
        emit: @escaping @Sendable (ReadOutcome) -> Void
    ) throws(OCRError) {
        let state = Mutex(RunState(count: entries.count))
        let workers = min(jobs, max(1, entries.count))
        let settings = self.settings
        let debugPictures = self.debugPictures
        let keepsAuditCrops = self.keepsAuditCrops
        let stopSignal = self.stopSignal
        let skip = self.skip
        // Results are handed to `emit` on a thread of their own, so recording one photo (a
        // store write, an audit crop) overlaps reading the next: with one worker, the second
        // core does it. A thread, not a dispatch queue: the workers fill Dispatch's pool (one
        // thread per core), and a queue's block would wait for a free one while the workers
        // wait for it.
        let emitter = EmitterThread(capacity: 2 * workers + 2, emit: emit)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let reader: PhotoReader
            do throws(OCRError) {
                reader = PhotoReader(recognizer: try makeRecognizer(), settings: settings)
            } catch {
                state.withLock { $0.failure = $0.failure ?? error }
                return
            }
            while !stopSignal.isRaised, !Interruption.isSet, let index = state.withLock({ $0.claim() }) {
                let result: ReadOutcome
                do throws(OCRError) {
                    result = try Self.read(
                        entries[index], with: reader, debugPictures: debugPictures, keepsAuditCrops: keepsAuditCrops,
                        skip: skip)
                } catch {
                    state.withLock { $0.failure = $0.failure ?? error }
                    return
                }
                // Queued under the lock so results go out whole and in entry order.
                state.withLock { run in
                    run.finished[index] = result
                    while run.nextToEmit < run.finished.count, let ready = run.finished[run.nextToEmit] {
                        emitter.enqueue(ready)
                        run.finished[run.nextToEmit] = nil
                        run.nextToEmit += 1
                    }
                }
            }
        }
        emitter.finish()
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    private static func read(
        _ entry: InputFiles.Entry, with reader: PhotoReader, debugPictures: DebugPictures?, keepsAuditCrops: Bool,
        skip: (@Sendable (String) -> Bool)?
    ) throws(OCRError) -> ReadOutcome {
        let path: String
        switch entry {
        case .missing(let missing):
            return ReadOutcome(
                result: .rejected(
                    file: missing, id: nil, reasons: [Reason(.decodeError, InputError.notFound(missing).description)]))
        case .file(let file): path = file
        }
        let bytes: [UInt8]
        do {
            bytes = try readPhotoFile(atPath: path, maxBytes: reader.settings.decode.maxFileBytes)
        } catch {
            return ReadOutcome(result: .rejected(file: path, id: nil, reasons: [Reason(.decodeError, error.description)]))
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let digest = sha256Hex(bytes)
        if let skip, skip(digest) {
            var skipped = ReadOutcome(result: .rejected(file: path, id: nil, reasons: []), imageSHA256: digest)
            skipped.skipped = true
            return skipped
        }
        return try read(bytes: bytes, file: path, id: nil, name: name, with: reader, debugPictures: debugPictures,
            keepsAuditCrops: keepsAuditCrops, digest: digest)
    }

    /// Reads photo bytes into an outcome: the result, the content hash and the audit crop.
    static func read(
        bytes: [UInt8], file: String?, id: String?, name: String, with reader: PhotoReader,
        debugPictures: DebugPictures?, keepsAuditCrops: Bool, digest: String? = nil
    ) throws(OCRError) -> ReadOutcome {
        let (result, evidence) = try reader.read(bytes: bytes, file: file, id: id)
        if let debugPictures {
            try? debugPictures.write(name: name, evidence: evidence, result: result)
        }
        let digest = digest ?? sha256Hex(bytes)
        // Fastest deflate: a crop is written for every photo, and harder levels shrink these
        // small gray strips by only a few per cent.
        let crop = keepsAuditCrops ? try? evidence.crop?.strip.pngData(compressionLevel: 1) : nil
        return ReadOutcome(result: result, imageSHA256: digest, auditCrop: crop)
    }
}

/// Hands outcomes to `emit` one at a time, in the order they were queued, on a thread of its
/// own. At most `capacity` wait; queuing more blocks until one is emitted, so a slow `emit` (a
/// store far away) holds the readers back instead of filling memory.
final class EmitterThread: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var waiting: [ReadOutcome] = []
    private var closed = false
    private var running = true
    private let capacity: Int

    init(capacity: Int, emit: @escaping @Sendable (ReadOutcome) -> Void) {
        self.capacity = max(1, capacity)
        let thread = Thread { [self] in
            while let next = take() { emit(next) }
            condition.lock()
            running = false
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "meterscan.emit"
        thread.start()
    }

    private func take() -> ReadOutcome? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !closed { condition.wait() }
        guard !waiting.isEmpty else { return nil }
        condition.broadcast()
        return waiting.removeFirst()
    }

    /// Queues `outcome` for `emit`, waiting while `capacity` outcomes are queued.
    func enqueue(_ outcome: ReadOutcome) {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= capacity { condition.wait() }
        waiting.append(outcome)
        condition.broadcast()
    }

    /// Emits what is queued, then stops the thread; returns once it has.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while running { condition.wait() }
    }
}

/// A flag any thread can raise to make a run stop taking new work (a failing store, Ctrl-C).
public final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)

    /// A signal not yet raised.
    public init() {}

    /// Asks the run to stop after what is in flight.
    public func raise() { raised.store(true, ordering: .relaxed) }

    /// Whether `raise()` was called.
    public var isRaised: Bool { raised.load(ordering: .relaxed) }
}

/// One photo's result with what the validate stage needs besides it.
public struct ReadOutcome: Sendable {
    /// The result from recognition alone.
    public var result: ReadResult
    /// SHA-256 of the photo bytes (hex), nil when no bytes were read.
    public var imageSHA256: String? = nil
    /// The straightened counter as PNG, when kept for audits.
    public var auditCrop: [UInt8]? = nil
    /// Not read: `ReadRunner.skip` said it was decided before.
    public var skipped = false
}

/// SHA-256 of `bytes` as lowercase hex: the photo's identity for "decided once".
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

/// Work distribution and in-order emission bookkeeping shared by the workers.
private struct RunState: ~Copyable {
    var nextToClaim = 0
    var nextToEmit = 0
    var finished: [ReadOutcome?]
    var failure: OCRError?

    init(count: Int) {
        finished = Array(repeating: nil, count: count)
    }

    mutating func claim() -> Int? {
        guard failure == nil, nextToClaim < finished.count else { return nil }
        defer { nextToClaim += 1 }
        return nextToClaim
    }
}

/// Which recognition engine the workers use, as the command line describes it.
public struct EngineConfiguration: Sendable {
    /// Folder holding the model (`.traineddata`, or `digitnet.bin` for `digitnet`); nil: the
    /// bundle for bundled models, else `TESSDATA_PREFIX`, then Debian's folder.
    public var dataPath: String?
    /// Model name.
    public var language: String

    /// The model `language` from `dataPath`; by default our digit network, which reads the
    /// most and accepts the fewest wrong readings per reading accepted (see README).
    public init(dataPath: String? = nil, language: String = EngineConfiguration.digitNetwork) {
        self.dataPath = dataPath
        self.language = language
    }

    /// The model name that selects the digit network (`NetworkRecognizer`) instead of Tesseract.
    public static let digitNetwork = "digitnet"

    /// A new recogniser for one worker (throws `OCRError.modelMissing` naming the package).
    /// A bundled model (`meterdigits`, `digitnet`) is taken from the bundle unless a folder was
    /// given; `digitnet` is the CNN cell classifier, every other name a Tesseract model.
    public func makeRecognizer() throws(OCRError) -> any DigitRecognizer {
        if language == Self.digitNetwork {
            guard let dataPath else { return try NetworkRecognizer.bundled() }
            return try NetworkRecognizer.inFolder(dataPath)
        }
        var folder = dataPath
        if folder == nil, BundledModels.names.contains(language) {
            folder = BundledModels.directory ?? "(MeterScan's model bundle is missing)"
        }
        return try TesseractRecognizer(dataPath: folder, language: language)
    }
}

extension ReadRunner {
    /// Every entry's result, in entry order (for evaluations that need them all at once).
    public func results(_ entries: [InputFiles.Entry], engine: EngineConfiguration) throws(OCRError)
        -> [ReadResult]
    {
        let collected = Mutex<[ReadResult]>([])
        try run(entries, engine: engine) { outcome in collected.withLock { $0.append(outcome.result) } }
        return collected.withLock { $0 }
    }

    /// `run(_:makeRecognizer:emit:)` with one Tesseract recogniser per worker.
    public func run(
        _ entries: [InputFiles.Entry], engine: EngineConfiguration,
        emit: @escaping @Sendable (ReadOutcome) -> Void
    ) throws(OCRError) {
        try run(entries, makeRecognizer: { () throws(OCRError) -> any DigitRecognizer in try engine.makeRecognizer() }, emit: emit)
    }
}
