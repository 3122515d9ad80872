import Foundation
import Logging
import PostgresNIO

/// Wakes an idle consumer when any worker enqueues: one connection LISTENs on the outbox
/// channel and counts notifications; `wait` returns as soon as one arrived since the last
/// wait, so a notification between a consumer's empty claim and its wait is not lost.
final class OutboxWakeUps: @unchecked Sendable {
    // @unchecked: the mutable state is touched only while holding `condition`.
    private let condition = NSCondition()
    private var received = 0
    private var seen = 0
    private var connection: PostgresConnection?

    /// Whether a listener is set up.
    var isListening: Bool { condition.withLock { connection != nil } }

    /// Starts listening on `channel` with `connection` (kept until `stop`).
    func listen(connection: PostgresConnection, channel: String, logger: Logger) throws {
        connection.addListener(channel: channel) { [weak self] _, _ in
            guard let self else { return }
            self.condition.withLock {
                self.received += 1
                self.condition.broadcast()
            }
        }
        _ = try connection.query(PostgresQuery(unsafeSQL: "LISTEN \(channel)"), logger: logger).wait()
        condition.withLock { self.connection = connection }
    }

    /// Returns true when a notification came since the last call, false after `timeout`
    /// seconds without one (or when the listening connection is gone).
    func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while received == seen && connection?.isClosed == false {
            if !condition.wait(until: deadline) { break }
        }
        if connection?.isClosed ?? true { connection = nil }
        let notified = received != seen
        seen = received
        return notified
    }

    /// Closes the listening connection.
    func stop() {
        let listener = condition.withLock {
            defer { connection = nil }
            return connection
        }
        try? listener?.close().wait()
    }
}
