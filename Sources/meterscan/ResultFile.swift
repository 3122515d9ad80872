import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue
import MeterReading

/// Where result records go: stdout (flushed per line), or a file written under a temporary
/// name and renamed into place at the end, so a reader never sees half a result file.
final class ResultFile: @unchecked Sendable {
    private let format: ResultFormat
    private let handle: FileHandle
    private let path: String?
    private let temporary: String?
    private let lines = LineWriter()
    private let lock = NSLock()

    init(path: String?, format: ResultFormat) throws {
        self.format = format
        self.path = path
        if let path {
            let temporary = path + ".partial"
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                let handle = FileHandle(forWritingAtPath: temporary)
            else {
                printError("meterscan: cannot write \(temporary)")
                throw ExitCode(2)
            }
            self.temporary = temporary
            self.handle = handle
        } else {
            temporary = nil
            handle = FileHandle.standardOutput
        }
        if format == .csv { emit(Self.csvHeader) }
    }

    /// Writes one result.
    func write(_ result: ReadResult) {
        switch format {
        case .jsonl: emit((try? lines.json(result)) ?? "{}")
        case .csv: emit(Self.csvRow(result))
        }
    }

    /// Moves the finished file into place.
    func finish() throws {
        guard let path, let temporary else { return }
        try? handle.synchronize()
        try? handle.close()
        if rename(temporary, path) != 0 {
            printError("meterscan: cannot move \(temporary) to \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(2)
        }
    }

    private func emit(_ line: String) {
        lock.withLock { handle.write(Data((line + "\n").utf8)) }
    }

    static let csvHeader = "file;id;status;value;integer;fraction;unit;meter;confidence;reasons;reading_id;reply"

    static func csvRow(_ result: ReadResult) -> String {
        let fields = [
            result.file ?? "", result.id ?? "", result.status.rawValue, result.reading?.value ?? "",
            result.reading?.integer ?? "", result.reading?.fraction ?? "", result.reading?.unit ?? "",
            result.meter ?? "", String(result.confidence), result.reasons.map(\.code.rawValue).joined(separator: ","),
            result.readingID ?? "", result.reply.text,
        ]
        return fields.map(CSVField.quoted).joined(separator: ";")
    }
}
