public import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What happened to one delivery attempt.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The sink has the record (durably, as far as it can tell).
    case delivered
    /// Try again later (timeout, 5xx, a busy receiver).
    case retry(String)
    /// The receiver refuses this record; retrying will not help (4xx): dead-letter it.
    case refused(String)
}

/// Where `consume` delivers accepted readings.
public protocol DeliverySink {
    /// Delivers one record (its JSON payload); must not return `.delivered` before the record
    /// is safe on the other side.
    func deliver(_ message: OutboxMessage) -> DeliveryOutcome
}

/// Parses `--sink`: `jsonl:PATH`, `csv:PATH`, `http://…`/`https://…`, `exec:CMD`.
public enum SinkSpec: Sendable, Hashable, CustomStringConvertible {
    case jsonl(path: String)
    case csv(path: String)
    case http(URL)
    case exec(command: String)

    /// Parses the command-line form; nil when it is none of them.
    public init?(_ text: String) {
        if text.hasPrefix("jsonl:"), text.count > 6 {
            self = .jsonl(path: String(text.dropFirst(6)))
        } else if text.hasPrefix("csv:"), text.count > 4 {
            self = .csv(path: String(text.dropFirst(4)))
        } else if text.hasPrefix("exec:"), text.count > 5 {
            self = .exec(command: String(text.dropFirst(5)))
        } else if text.hasPrefix("http://") || text.hasPrefix("https://"), let url = URL(string: text), url.host != nil {
            self = .http(url)
        } else {
            return nil
        }
    }

    /// The spec as given.
    public var description: String {
        switch self {
        case .jsonl(let path): "jsonl:\(path)"
        case .csv(let path): "csv:\(path)"
        case .http(let url): url.absoluteString
        case .exec(let command): "exec:\(command)"
        }
    }
}

/// Why a sink could not be opened.
public struct SinkError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}

/// Appends records to a file with one `write` per record and an `fsync` before reporting
/// delivery. A line cut short by a crash is removed when the file is opened again (its record
/// was never acknowledged, so it is delivered again).
final class AppendOnlyFile {
    private let descriptor: Int32
    let path: String

    init(path: String) throws(SinkError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SinkError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        try dropTornLine()
    }

    deinit { close(descriptor) }

    /// Whether the file has no content yet.
    var isEmpty: Bool { lseek(descriptor, 0, SEEK_END) == 0 }

    /// Appends `text` (whole lines) and syncs; returns an error message on failure.
    func append(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written != bytes.count {
            let message = String(cString: strerror(errno))
            // A partial write would leave a torn line in front of the next record.
            if written > 0 { ftruncate(descriptor, lseek(descriptor, 0, SEEK_END) - off_t(written)) }
            return "write to \(path) failed: \(message)"
        }
        if fsync(descriptor) != 0 { return "fsync of \(path) failed: \(String(cString: strerror(errno)))" }
        return nil
    }

    private func dropTornLine() throws(SinkError) {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return }
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { throw SinkError(description: "cannot read \(path)") }
        defer { close(reader) }
        var keep = size
        var buffer = [UInt8](repeating: 0, count: 4096)
        while keep > 0 {
            let start = max(0, keep - off_t(buffer.count))
            let count = Int(keep - start)
            let got = buffer.withUnsafeMutableBytes { pread(reader, $0.baseAddress, count, start) }
            guard got == count else { throw SinkError(description: "cannot read \(path)") }
            if let newline = buffer[0..<count].lastIndex(of: UInt8(ascii: "\n")) {
                keep = start + off_t(newline) + 1
                break
            }
            keep = start
        }
        if keep < size { ftruncate(descriptor, keep) }
    }
}

/// `jsonl:PATH`: one JSON record per line.
final class JSONLinesSink: DeliverySink {
    private let file: AppendOnlyFile

    init(path: String) throws(SinkError) {
        file = try AppendOnlyFile(path: path)
    }

    func deliver(_ message: OutboxMessage) -> DeliveryOutcome {
        file.append(message.payload + "\n").map(DeliveryOutcome.retry) ?? .delivered
    }
}

/// `csv:PATH`: `;`-separated with a header, optionally with German decimal commas.
final class CSVSink: DeliverySink {
    private let file: AppendOnlyFile
    private let decimalComma: Bool
    static let columns = [
        "reading_id", "meter_number", "obis", "value", "unit", "read_at", "received_at", "reason", "status",
        "confidence", "channel", "message_id", "sender_ref", "image_sha256",
    ]

    init(path: String, decimalComma: Bool) throws(SinkError) {
        file = try AppendOnlyFile(path: path)
        self.decimalComma = decimalComma
        if file.isEmpty, let error = file.append(Self.columns.joined(separator: ";") + "\n") {
            throw SinkError(description: error)
        }
    }

    func deliver(_ message: OutboxMessage) -> DeliveryOutcome {
        guard let record = try? JSONDecoder().decode(DeliveryRecord.self, from: Data(message.payload.utf8)) else {
            return .refused("the queued record is not a delivery record")
        }
        let decimal: (String) -> String = { [decimalComma] in
            decimalComma ? $0.replacingOccurrences(of: ".", with: ",") : $0
        }
        let fields = [
            record.readingID, record.meterNumber, record.obis ?? "", decimal(record.value), record.unit ?? "",
            record.readAt, record.receivedAt, record.reason, record.status, decimal(String(record.confidence)),
            record.channel ?? "", record.messageID ?? "", record.senderRef ?? "", record.imageSHA256,
        ]
        let line = fields.map(CSVField.quoted).joined(separator: ";") + "\n"
        return file.append(line).map(DeliveryOutcome.retry) ?? .delivered
    }
}

/// Fields of `;`-separated files (German spreadsheets, billing imports).
public enum CSVField {
    /// `field` as written in a `;`-separated file: quoted, with quotes doubled, when it holds
    /// a separator, a quote or a line break.
    public static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `http(s)://…`: POSTs the JSON record with an `Idempotency-Key` header. 2xx delivered;
/// 408, 429, 5xx and network errors retried; other 4xx refused.
final class HTTPSink: DeliverySink {
    private let url: URL
    private let timeout: TimeInterval
    private let session: URLSession

    init(url: URL, timeout: TimeInterval = 15) {
        self.url = url
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    func deliver(_ message: OutboxMessage) -> DeliveryOutcome {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(message.readingID, forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = Data(message.payload.utf8)
        let done = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        let target = url.absoluteString
        session.dataTask(with: request) { _, response, error in
            if let error {
                outcome.value = .retry("POST \(target): \(error.localizedDescription)")
            } else if let status = (response as? HTTPURLResponse)?.statusCode {
                switch status {
                case 200..<300: outcome.value = .delivered
                case 408, 429, 500...: outcome.value = .retry("HTTP \(status)")
                default: outcome.value = .refused("HTTP \(status)")
                }
            } else {
                outcome.value = .retry("no HTTP response")
            }
            done.signal()
        }.resume()
        done.wait()
        return outcome.value
    }

    private final class OutcomeBox: @unchecked Sendable {
        var value = DeliveryOutcome.retry("no answer")
    }
}

/// `exec:CMD`: runs CMD through `/bin/sh -c` with the JSON record on stdin. Exit 0 delivered;
/// exit 65 (EX_DATAERR) refused; anything else retried.
final class ExecSink: DeliverySink {
    private let command: String

    init(command: String) {
        self.command = command
        // A command that exits without reading its input would otherwise kill us with SIGPIPE
        // on the write below; EPIPE is then just an error, and its exit status decides.
        signal(SIGPIPE, SIG_IGN)
    }

    func deliver(_ message: OutboxMessage) -> DeliveryOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["METERSCAN_READING_ID": message.readingID]) { $1 }
        do {
            try process.run()
        } catch {
            return .retry("cannot start \(command): \(error.localizedDescription)")
        }
        try? input.fileHandleForWriting.write(contentsOf: Data((message.payload + "\n").utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        switch (process.terminationReason, process.terminationStatus) {
        case (.exit, 0): return .delivered
        case (.exit, 65): return .refused("\(command) refused the record (exit 65)")
        case (.exit, let status): return .retry("\(command) exited with \(status)")
        case (_, let signal): return .retry("\(command) was killed by signal \(signal)")
        }
    }
}

extension SinkSpec {
    /// Opens the sink this spec names.
    public func open(decimalComma: Bool = false) throws(SinkError) -> any DeliverySink {
        switch self {
        case .jsonl(let path): try JSONLinesSink(path: path)
        case .csv(let path): try CSVSink(path: path, decimalComma: decimalComma)
        case .http(let url): HTTPSink(url: url)
        case .exec(let command): ExecSink(command: command)
        }
    }
}
