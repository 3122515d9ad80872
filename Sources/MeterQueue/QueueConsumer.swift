public import Foundation

/// Delivers queued readings to a sink, at least once and in order per meter: a message is
/// acknowledged only after the sink reports it safe, so a crash in between delivers it again
/// (with the same `reading_id`); a failure backs off, and dead-letters after `maxDeliveries`.
public struct QueueConsumer {
    /// Messages claimed per round.
    public var batchSize = 16
    /// How long a claimed message stays hidden from other consumers.
    public var visibility: TimeInterval = 60
    /// Attempts before a message is dead-lettered.
    public var maxDeliveries = 8
    /// Longest wait when nothing is deliverable (continuous mode); a store that notifies
    /// (PostgreSQL) ends the wait as soon as a worker enqueues.
    public var pollInterval: TimeInterval = 0.5

    /// Counts of one consume run.
    public struct Summary: Sendable, Hashable, Codable {
        /// Delivered in this run.
        public var delivered = 0
        /// Failed attempts that will be retried.
        public var retried = 0
        /// Dead-lettered in this run.
        public var deadLettered = 0

        /// Counts as given.
        public init(delivered: Int = 0, retried: Int = 0, deadLettered: Int = 0) {
            self.delivered = delivered
            self.retried = retried
            self.deadLettered = deadLettered
        }
    }

    /// A consumer with default limits.
    public init() {}

    /// Retry delay after the `attempt`-th failure: 2, 4, 8 … seconds, at most 5 minutes.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(300, pow(2, Double(min(max(attempt, 1), 16))))
    }

    /// Delivers until nothing is deliverable (`once`) or until `shouldStop` returns true.
    /// `log` receives one line per failure.
    public func run(
        store: any ReadingStore, sink: any DeliverySink, once: Bool, shouldStop: () -> Bool,
        log: (String) -> Void
    ) throws(StoreError) -> Summary {
        var summary = Summary()
        while !shouldStop() {
            let messages = try store.claim(limit: batchSize, visibility: visibility, now: Date())
            if messages.isEmpty {
                if once { break }
                store.waitForMessages(timeout: pollInterval)
                continue
            }
            for (index, message) in messages.enumerated() {
                if shouldStop() {
                    for untried in messages[index...] { try store.release(untried.sequence) }
                    break
                }
                switch sink.deliver(message) {
                case .delivered:
                    try store.markDelivered(message.sequence, at: Date())
                    summary.delivered += 1
                case .retry(let reason):
                    let dead = message.deliveryCount >= maxDeliveries
                    try store.markFailed(
                        message.sequence, error: reason, permanent: false,
                        retryAfter: Self.backoff(afterAttempt: message.deliveryCount), maxDeliveries: maxDeliveries,
                        now: Date())
                    if dead { summary.deadLettered += 1 } else { summary.retried += 1 }
                    log("reading \(message.readingID): \(reason)\(dead ? " (dead-lettered)" : "; will retry")")
                case .refused(let reason):
                    try store.markFailed(
                        message.sequence, error: reason, permanent: true, retryAfter: 0, maxDeliveries: maxDeliveries,
                        now: Date())
                    summary.deadLettered += 1
                    log("reading \(message.readingID): \(reason) (dead-lettered)")
                }
            }
        }
        return summary
    }
}
