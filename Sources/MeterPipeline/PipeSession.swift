import Dispatch
import Foundation
import MeterImage
public import MeterOCR
import MeterReading
import Synchronization

/// `meterscan pipe`: reads gateway messages, one JSON object per line, and writes one result
/// line per photo (or per line without one), in input order, flushed at once. Accepted
/// readings are recorded and queued through the same `ReadingRecorder` as `read` and `batch`.
///
/// Memory is bounded: at most `window` photos are between intake and output; when the window
/// is full the session stops reading stdin, so the gateway feels back-pressure.
public final class PipeSession: Sendable {
    /// How a session ended.
    public enum Ending: Sendable {
        /// stdin reached its end and everything was answered.
        case endOfInput
        /// SIGINT/SIGTERM: reading stopped, what was in flight was answered.
        case interrupted
        /// The state could not be written; what was answered before is recorded.
        case stateFailed(StateError)
    }

    /// Settings of a session.
    public struct Options: Sendable {
        /// Recognition workers.
        public var jobs: Int
        /// Reply language.
        public var language: ReplyLanguage
        /// Where photos may come from.
        public var parser: GatewayParser
        /// The OCR engine.
        public var engine: EngineConfiguration
        /// Reader stage settings.
        public var settings = ReaderSettings()
        /// Longest input line accepted (a base64 photo inflates by a third).
        public var maxLineBytes = 64 << 20

        /// Options with the given essentials and default reader settings.
        public init(jobs: Int, language: ReplyLanguage, parser: GatewayParser, engine: EngineConfiguration) {
            self.jobs = max(1, jobs)
            self.language = language
            self.parser = parser
            self.engine = engine
        }
    }

    private let recorder: ReadingRecorder
    private let options: Options
    private let work = WorkQueue()
    private let output: OrderedOutput

    /// A session writing decisions to `state` and result lines to `write`.
    public init(state: MeterState, options: Options, write: @escaping @Sendable (String) -> Void) {
        var recorder = ReadingRecorder(state: state)
        recorder.language = options.language
        self.recorder = recorder
        self.options = options
        output = OrderedOutput(window: options.jobs * 2 + 2, write: write)
    }

    /// Runs until end of `input` (a file descriptor, stdin by default) or an interruption;
    /// throws only when no recogniser can be made.
    public func run(input: Int32 = 0) throws(OCRError) -> Ending {
        var readers: [PhotoReader] = []
        for _ in 0..<options.jobs {
            readers.append(PhotoReader(recognizer: try options.engine.makeRecognizer(), settings: options.settings))
        }
        let workers = DispatchGroup()
        for reader in readers {
            let box = UncheckedBox(reader)
            workers.enter()
            Thread.detachNewThread { [self] in
                while let item = work.take() { process(item, with: box.value) }
                workers.leave()
            }
        }
        let ending = readLines(from: input)
        work.close()
        workers.wait()
        if let failure = output.failure { return .stateFailed(failure) }
        return ending
    }

    // MARK: Intake

    private func readLines(from input: Int32) -> Ending {
        var lines = LineReader(descriptor: input, maxLineBytes: options.maxLineBytes)
        while true {
            if Interruption.isSet { return .interrupted }
            if output.failure != nil { return .endOfInput }
            switch lines.next(stopWhen: { Interruption.isSet }) {
            case .endOfInput: return .endOfInput
            case .interrupted: return .interrupted
            case .tooLong(let bytes):
                answer(Self.badInput("line of \(bytes) bytes exceeds the limit of \(options.maxLineBytes)"))
            case .line(let text):
                if text.allSatisfy(\.isWhitespace) { continue }
                intake(text)
            }
        }
    }

    private func intake(_ line: String) {
        let messages: [GatewayMessage]
        do {
            messages = try options.parser.parse(line)
        } catch {
            answer(Self.badInput(error.description))
            return
        }
        if messages.isEmpty {
            answer(
                Self.badInput("a receipt, reaction or status update: nothing to answer", code: .notAMessage))
            return
        }
        for message in messages {
            // The sender becomes a keyed hash here and the number itself goes no further.
            let intake = Intake(
                meterNumber: message.meter, caption: message.caption,
                senderRef: message.sender.map { recorder.state.senders.reference(for: $0) }, channel: message.channel,
                messageID: message.id, receivedAt: message.receivedAt ?? Date())
            if message.photos.isEmpty {
                answer(ReadResult.rejected(
                    file: nil, id: message.id, reasons: [Reason(.noImage, "the message has no image")]))
                continue
            }
            for photo in message.photos {
                let slot = output.reserve()
                work.put(WorkItem(slot: slot, photo: photo, intake: intake))
            }
        }
    }

    /// Answers `result` (nothing to read or record) in the reply language: in `slot`, or in a
    /// new slot for a line answered at intake.
    private func answer(_ result: ReadResult, slot: Int? = nil) {
        var answered = result
        answered.composeReply(in: options.language)
        output.finish(slot: slot ?? output.reserve(), with: .ready(answered))
    }

    private static func badInput(_ message: String, code: ReasonCode = .badInput) -> ReadResult {
        ReadResult.rejected(file: nil, id: nil, reasons: [Reason(code, message)])
    }

    // MARK: Work

    private func process(_ item: WorkItem, with reader: PhotoReader) {
        let id = item.intake.messageID
        let bytes: [UInt8]
        var file: String?
        switch item.photo.source {
        case .refused(let why):
            answer(ReadResult.rejected(file: nil, id: id, reasons: [Reason(.badInput, why)]), slot: item.slot)
            return
        case .bytes(let data):
            bytes = data
        case .file(let path):
            file = path
            do {
                bytes = try readPhotoFile(atPath: path, maxBytes: options.settings.decode.maxFileBytes)
            } catch {
                answer(
                    ReadResult.rejected(file: path, id: id, reasons: [Reason(.decodeError, error.description)]),
                    slot: item.slot)
                return
            }
        }
        let outcome: ReadOutcome
        do throws(OCRError) {
            outcome = try ReadRunner.read(
                bytes: bytes, file: file, id: id, name: id ?? "photo", with: reader, debugPictures: nil,
                keepsAuditCrops: true)
        } catch {
            answer(ReadResult.rejected(file: file, id: id, reasons: [Reason(.decodeError, "\(error)")]), slot: item.slot)
            return
        }
        output.finish(slot: item.slot, with: .record(outcome, item.intake, recorder))
    }
}

/// One photo waiting for a worker.
private struct WorkItem: Sendable {
    let slot: Int
    let photo: GatewayPhoto
    let intake: Intake
}

/// A `PhotoReader` handed to the one thread that uses it.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Photos waiting for a worker; `take` blocks until one arrives or the queue is closed.
private final class WorkQueue: Sendable {
    private let items = Mutex<(queue: [WorkItem], closed: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    func put(_ item: WorkItem) {
        items.withLock { $0.queue.append(item) }
        available.signal()
    }

    func close() {
        items.withLock { $0.closed = true }
        available.signal()
    }

    func take() -> WorkItem? {
        while true {
            available.wait()
            let next: WorkItem?? = items.withLock { state in
                if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                return state.closed ? .some(nil) : nil
            }
            if let next {
                // Pass the wake-up on, so every worker sees the close.
                if next == nil { available.signal() }
                return next
            }
        }
    }
}

/// Result slots handed out in input order and written in that order as they complete; the
/// window of open slots bounds memory and throttles intake.
private final class OrderedOutput: Sendable {
    enum Completion: Sendable {
        case ready(ReadResult)
        case record(ReadOutcome, Intake, ReadingRecorder)
    }

    private struct State {
        var nextSlot = 0
        var nextToWrite = 0
        var done: [Int: Completion] = [:]
        var failure: StateError?
    }

    private let state = Mutex(State())
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    private let capacity: DispatchSemaphore
    private let write: @Sendable (String) -> Void

    init(window: Int, write: @escaping @Sendable (String) -> Void) {
        capacity = DispatchSemaphore(value: window)
        self.write = write
    }

    var failure: StateError? { state.withLock { $0.failure } }

    /// The next slot; blocks while the window is full (back-pressure on stdin).
    func reserve() -> Int {
        capacity.wait()
        return state.withLock { state in
            defer { state.nextSlot += 1 }
            return state.nextSlot
        }
    }

    /// Completes a slot and writes every slot that is now next in line. Recording happens
    /// here, under the lock, so decisions are taken in input order, one at a time.
    func finish(slot: Int, with completion: Completion) {
        state.withLock { state in
            state.done[slot] = completion
            while let next = state.done.removeValue(forKey: state.nextToWrite) {
                state.nextToWrite += 1
                capacity.signal()
                var result: ReadResult
                switch next {
                case .ready(let ready):
                    result = ready
                case .record(let outcome, let intake, let recorder):
                    // After a store failure nothing more is answered as if it were recorded.
                    guard state.failure == nil else { continue }
                    do throws(StateError) {
                        result = try recorder.record(outcome, intake: intake)
                    } catch {
                        state.failure = error
                        continue
                    }
                }
                if let data = try? encoder.encode(result) { write(String(decoding: data, as: UTF8.self)) }
            }
        }
    }
}

/// Reads lines from a file descriptor with `poll`, so an interruption is noticed while
/// waiting, and with a length cap, so one endless line cannot exhaust memory.
struct LineReader {
    enum Next {
        case line(String)
        case tooLong(Int)
        case endOfInput
        case interrupted
    }

    let descriptor: Int32
    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var discarding = 0

    init(descriptor: Int32, maxLineBytes: Int) {
        self.descriptor = descriptor
        self.maxLineBytes = maxLineBytes
    }

    mutating func next(stopWhen stop: () -> Bool) -> Next {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                compact()
                if discarding > 0 {
                    let total = discarding + line.count
                    discarding = 0
                    return .tooLong(total)
                }
                return .line(String(decoding: line, as: UTF8.self))
            }
            if buffer.count - start > maxLineBytes {
                discarding += buffer.count - start
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            if atEnd {
                guard start < buffer.count || discarding > 0 else { return .endOfInput }
                let line = buffer[start...]
                buffer.removeAll()
                start = 0
                if discarding > 0 {
                    defer { discarding = 0 }
                    return .tooLong(discarding + line.count)
                }
                return .line(String(decoding: line, as: UTF8.self))
            }
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollDescriptor, 1, 100)
            if stop() { return .interrupted }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                atEnd = true
            } else if count == 0 {
                atEnd = true
            } else {
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }

    private mutating func compact() {
        if start > 1 << 20 || start == buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
