public import Foundation
import Logging
public import MeterQueue
public import MeterReading
import PostgresNIO

/// The store on a PostgreSQL server, for several MeterScan processes on one or more hosts:
/// the same tables and decisions as `SQLiteStore`, with row locks instead of SQLite's single
/// writer. A decision locks its meter's row (`FOR UPDATE`), so one meter's history changes one
/// transaction at a time; consumers claim with `FOR UPDATE SKIP LOCKED` and are woken by
/// `LISTEN/NOTIFY`; audit crops live in the database, where every host can read them.
public final class PostgresStore: ReadingStore {
    /// Channel the outbox notifies when a message is written.
    static let outboxChannel = "meterscan_outbox"

    /// Where the database is (without its password).
    public let location: PostgresLocation
    let pool: BlockingConnectionPool
    let logger: Logger
    private let wakeUps = OutboxWakeUps()

    /// Connects to the database at `location`, migrating an older schema and refusing a newer one.
    public init(location: PostgresLocation) throws(StoreError) {
        self.location = location
        var logger = Logger(label: "meterscan.postgres")
        logger.logLevel = .critical
        self.logger = logger
        do {
            pool = try BlockingConnectionPool(location: location, logger: logger)
        } catch {
            throw .unavailable(detail: "\(location): \(error)")
        }
        let place = location.description
        do {
            try pool.withConnection { connection in
                try PostgresSchema.migrate(connection, logger: logger, location: place)
            }
        } catch {
            throw Self.storeError(error, location: place)
        }
    }

    deinit {
        wakeUps.stop()
        pool.shutdown()
    }

    /// Runs `body` in one transaction. Conflicts another worker caused (two workers inserting
    /// the same photo, a deadlock, a serialization failure) roll back and run `body` again,
    /// which then sees the other worker's result.
    func transaction<T>(_ body: (PostgresTransaction) throws -> T) throws(StoreError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try pool.withConnection { connection in
                    try run("BEGIN", on: connection)
                    do {
                        let result = try body(PostgresTransaction(connection: connection, logger: logger))
                        try run("COMMIT", on: connection)
                        return result
                    } catch {
                        _ = try? run("ROLLBACK", on: connection)
                        throw error
                    }
                }
            } catch {
                if attempt < 8, Self.isRetryable(error) {
                    Thread.sleep(forTimeInterval: 0.002 * Double(attempt))
                    continue
                }
                throw Self.storeError(error, location: location.description)
            }
        }
    }

    /// Runs a read-only `body` outside an explicit transaction.
    func read<T>(_ body: (PostgresTransaction) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.withConnection { try body(PostgresTransaction(connection: $0, logger: logger)) }
        } catch {
            throw Self.storeError(error, location: location.description)
        }
    }

    private func run(_ query: PostgresQuery, on connection: PostgresConnection) throws {
        _ = try connection.query(query, logger: logger).wait()
    }

    /// Failures worth another try: unique violation (another worker inserted the same photo
    /// first), serialization failure, deadlock, and a pooled connection the server had closed
    /// (after a server restart; the pool drops it and the retry opens a new one).
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        if let state = error.serverInfo?[.sqlState] { return ["23505", "40001", "40P01"].contains(state) }
        return error.code == .serverClosedConnection
    }

    /// Maps the driver's errors to what a person can act on.
    static func storeError(_ error: any Error, location: String) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        guard let error = error as? PSQLError else { return .unavailable(detail: "\(location): \(error)") }
        if let info = error.serverInfo {
            let message = info[.message] ?? "server error"
            switch info[.sqlState] ?? "" {
            case "53100": return .diskFull(path: location)
            case "25006", "42501": return .readOnly(path: location, detail: message)
            case "55P03", "57014": return .busy(detail: message)
            case let state where state.hasPrefix("08") || state.hasPrefix("57P"):
                return .busy(detail: "\(location): \(message)")
            default: return .unavailable(detail: "\(location): \(message) (SQLSTATE \(info[.sqlState] ?? "?"))")
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection:
            return .unavailable(detail: "cannot reach \(location) (is the server running and the URL right?)")
        default:
            return .unavailable(detail: "\(location): \(error.code)")
        }
    }
}

// MARK: - Registry, decisions, review

extension PostgresStore {
    /// Adds or updates meters, all or nothing.
    public func importMeters(_ meters: [Meter]) throws(StoreError) -> ImportSummary {
        try transaction { try $0.importMeters(meters) }
    }

    /// Every meter, ordered by number.
    public func meters() throws(StoreError) -> [Meter] {
        try read { steps in
            try steps.strings("SELECT number FROM meters ORDER BY number").compactMap {
                try steps.meter(number: $0, lock: false)
            }
        }
    }

    /// One meter, or nil.
    public func meter(number: String) throws(StoreError) -> Meter? {
        try read { try $0.meter(number: number, lock: false) }
    }

    /// Identifies the meter, validates under the meter's row lock, records the decision and
    /// enqueues accepted readings, all in one transaction.
    public func decide(_ request: DecisionRequest, validator: ReadingValidator) throws(StoreError) -> StoredDecision {
        let crop = request.auditPNG.map { ByteBuffer(bytes: $0) }
        return try transaction { steps in
            if let crop {
                try steps.execute(
                    """
                    INSERT INTO audit_crops (image_sha256, png, created_at) VALUES (\(request.imageSHA256), \(crop), now())
                    ON CONFLICT (image_sha256) DO NOTHING
                    """)
            }
            return try steps.decide(request, validator: validator)
        }
    }

    /// Whether a photo with this content hash was decided before (for any meter).
    public func hasDecision(imageSHA256: String) throws(StoreError) -> Bool {
        try read { try !$0.strings("SELECT reading_id FROM readings WHERE image_sha256 = \(imageSHA256) LIMIT 1").isEmpty }
    }

    /// Readings a clerk must decide, oldest first.
    public func openReviews() throws(StoreError) -> [ReadingRecord] {
        try read { try $0.records("SELECT * FROM readings WHERE review_state = 'open' ORDER BY received_at, reading_id") }
    }

    /// The newest `limit` readings of a meter, newest first.
    public func readings(ofMeter number: String, limit: Int) throws(StoreError) -> [ReadingRecord] {
        try read {
            try $0.records(
                """
                SELECT * FROM readings WHERE meter_number = \(number)
                ORDER BY received_at DESC, reading_id DESC LIMIT \(limit)
                """)
        }
    }

    /// One reading by id or by a unique prefix of it.
    public func reading(id: String) throws(StoreError) -> ReadingRecord? {
        try read { try $0.reading(idOrPrefix: id) }
    }

    /// Applies a clerk's decision (see `StoreTransaction.resolve`).
    public func resolve(id: String, action: ClerkAction, meterNumber: String?, at date: Date) throws(StoreError)
        -> ReadingRecord
    {
        try transaction { try $0.resolve(id: id, action: action, meterNumber: meterNumber, at: date) }
    }
}

// MARK: - Outbox

extension PostgresStore {
    /// Claims up to `limit` deliverable messages, each the oldest pending one of its meter.
    /// Rows another consumer is claiming at this moment are skipped, not waited for.
    public func claim(limit: Int, visibility: TimeInterval, now: Date) throws(StoreError) -> [OutboxMessage] {
        let until = now.addingTimeInterval(visibility)
        return try transaction { steps in
            let rows = try steps.connection.query(
                """
                WITH ready AS (
                    SELECT seq FROM outbox AS o
                    WHERE state = 'pending' AND visible_at <= \(now)
                      AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.meter_number = o.meter_number
                                      AND e.state = 'pending' AND e.seq < o.seq)
                    ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                UPDATE outbox SET visible_at = \(until), delivery_count = outbox.delivery_count + 1
                FROM ready WHERE outbox.seq = ready.seq
                RETURNING outbox.seq, outbox.reading_id, outbox.meter_number, outbox.payload, outbox.delivery_count
                """, logger: logger
            ).wait()
            return try rows.rows.map { row in
                let (sequence, readingID, meter, payload, count) = try row.decode((Int64, String, String, String, Int).self)
                return OutboxMessage(
                    sequence: sequence, readingID: readingID, meterNumber: meter, payload: payload, deliveryCount: count)
            }.sorted { $0.sequence < $1.sequence }
        }
    }

    /// Marks a message delivered.
    public func markDelivered(_ sequence: Int64, at date: Date) throws(StoreError) {
        try transaction {
            try $0.execute(
                "UPDATE outbox SET state = 'delivered', delivered_at = \(date), last_error = NULL WHERE seq = \(sequence)")
        }
    }

    /// Gives a claimed message back untried, visible again at once.
    public func release(_ sequence: Int64) throws(StoreError) {
        try transaction {
            try $0.execute(
                """
                UPDATE outbox SET visible_at = now(), delivery_count = GREATEST(delivery_count - 1, 0)
                WHERE seq = \(sequence) AND state = 'pending'
                """)
        }
    }

    /// Records a failed delivery: retry later, or dead-letter it.
    public func markFailed(
        _ sequence: Int64, error: String, permanent: Bool, retryAfter: TimeInterval, maxDeliveries: Int, now: Date
    ) throws(StoreError) {
        let retryAt = now.addingTimeInterval(retryAfter)
        try transaction {
            try $0.execute(
                """
                UPDATE outbox SET last_error = \(error),
                    state = CASE WHEN \(permanent) OR delivery_count >= \(maxDeliveries) THEN 'dead' ELSE state END,
                    visible_at = CASE WHEN \(permanent) OR delivery_count >= \(maxDeliveries) THEN visible_at
                                 ELSE \(retryAt) END
                WHERE seq = \(sequence)
                """)
        }
    }

    /// Message counts by state.
    public func queueCounts() throws(StoreError) -> QueueCounts {
        try read { steps in
            var counts = QueueCounts(pending: 0, delivered: 0, dead: 0)
            let rows = try steps.connection.query(
                "SELECT state, COUNT(*) FROM outbox GROUP BY state", logger: logger
            ).wait()
            for row in rows.rows {
                let (state, count) = try row.decode((String, Int).self)
                switch state {
                case "pending": counts.pending = count
                case "delivered": counts.delivered = count
                default: counts.dead += count
                }
            }
            return counts
        }
    }

    /// Waits for a NOTIFY from a worker that enqueued, at most `timeout` seconds; true when
    /// one came.
    @discardableResult
    public func waitForMessages(timeout: TimeInterval) -> Bool {
        if !wakeUps.isListening {
            do {
                try wakeUps.listen(connection: pool.dedicatedConnection(), channel: Self.outboxChannel, logger: logger)
            } catch {
                // Without a listener the consumer still works, by polling.
                Thread.sleep(forTimeInterval: timeout)
                return false
            }
        }
        return wakeUps.wait(timeout: timeout)
    }
}

// MARK: - Evidence and settings

extension PostgresStore {
    /// Crops go into the database with their decision (every host can show them to a clerk).
    public var keepsAuditCrops: Bool { true }

    /// The bytes of a crop kept in the database.
    public func auditCrop(_ reference: String) throws(StoreError) -> [UInt8]? {
        guard reference.hasPrefix(storedCropPrefix) else { return nil }
        let sha = String(reference.dropFirst(storedCropPrefix.count))
        return try read { steps in
            let rows = try steps.connection.query(
                "SELECT png FROM audit_crops WHERE image_sha256 = \(sha)", logger: logger
            ).wait()
            return try rows.rows.first.map { Array(buffer: try $0.decode(ByteBuffer.self)) }
        }
    }

    /// Audit crops whose every reading was received before `cutoff`.
    public func expiredAuditCrops(before cutoff: Date) throws(StoreError) -> [String] {
        try read {
            try $0.strings(
                """
                SELECT audit_path FROM readings WHERE audit_path IS NOT NULL
                GROUP BY audit_path HAVING MAX(received_at) < \(cutoff)
                """)
        }
    }

    /// Forgets the given audit references and deletes the crops kept in the database.
    public func forgetAuditCrops(_ paths: [String]) throws(StoreError) {
        try transaction { steps in
            for path in paths {
                try steps.execute("UPDATE readings SET audit_path = NULL WHERE audit_path = \(path)")
                if path.hasPrefix(storedCropPrefix) {
                    let sha = String(path.dropFirst(storedCropPrefix.count))
                    try steps.execute("DELETE FROM audit_crops WHERE image_sha256 = \(sha)")
                }
            }
        }
    }

    /// Records the sender-key fingerprint, or refuses a different one.
    public func adoptSenderKey(fingerprint: String) throws(StoreError) {
        let stored = try transaction { steps in
            try steps.execute(
                "INSERT INTO settings (key, value) VALUES ('sender_key', \(fingerprint)) ON CONFLICT (key) DO NOTHING")
            return try steps.strings("SELECT value FROM settings WHERE key = 'sender_key'").first
        }
        if let stored, stored != fingerprint { throw .senderKeyMismatch(store: location.description) }
    }
}
