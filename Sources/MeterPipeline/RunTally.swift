import Foundation
public import MeterReading

/// Counts of a run by status and reason, for the summary `batch` and `pipe` print at the end.
public struct RunTally: Sendable {
    /// Results by status.
    public private(set) var byStatus: [ReadingStatus: Int] = [:]
    /// Reason codes by the status they led to.
    public private(set) var byReason: [ReadingStatus: [ReasonCode: Int]] = [:]
    /// Photos skipped because they were decided before.
    public var skipped = 0

    /// An empty tally.
    public init() {}

    /// Counts one result.
    public mutating func count(_ result: ReadResult) {
        byStatus[result.status, default: 0] += 1
        for code in Set(result.reasons.map(\.code)) { byReason[result.status, default: [:]][code, default: 0] += 1 }
    }

    /// Results counted (skipped photos not included).
    public var total: Int { byStatus.values.reduce(0, +) }

    /// Whether every counted result was accepted.
    public var allAccepted: Bool { total == byStatus[.accepted, default: 0] }

    /// "250 photos: 14 accepted, 73 review, 13 rejected" and one line per status's reasons.
    public var summary: String {
        var lines = [
            "\(total) photo(s): \(byStatus[.accepted, default: 0]) accepted, \(byStatus[.review, default: 0]) review, "
                + "\(byStatus[.rejected, default: 0]) rejected"
                + (skipped > 0 ? "; \(skipped) skipped (decided before; --force reads them again)" : "")
        ]
        for status in [ReadingStatus.accepted, .review, .rejected] {
            guard let reasons = byReason[status], !reasons.isEmpty else { continue }
            let listed = reasons.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            lines.append("  \(status.rawValue): \(listed)")
        }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress bar on stderr (count, rate, ETA), redrawn at most ten times a second.
/// Only for a terminal: the caller decides (`isatty`, `--quiet`).
public final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let colored: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var done = 0
    private let lock = NSLock()

    /// A bar for `total` items; `colored` unless `NO_COLOR` is set.
    public init(total: Int, colored: Bool) {
        self.total = total
        self.colored = colored
    }

    /// Counts one item and redraws if due.
    public func advance() {
        lock.withLock {
            done += 1
            let now = Date()
            guard done == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            draw(now)
        }
    }

    /// Clears the bar's line (before the summary is printed).
    public func finish() {
        lock.withLock { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func draw(_ now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let width = 28
        let filled = total > 0 ? min(width, width * done / total) : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let painted = colored ? "\u{1B}[32m\(bar)\u{1B}[0m" : bar
        let line = String(format: "\r%@ %d/%d  %.1f photos/s  ETA %@", painted, done, total, rate, Self.clock(remaining))
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
    }
}
