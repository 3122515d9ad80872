public import Foundation
import GRDB
import MeterReading

extension SQLiteStore {
    /// Readings a clerk must decide, oldest first.
    public func openReviews() throws(StoreError) -> [ReadingRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM readings WHERE review_state = 'open' ORDER BY received_at, reading_id"
            ).map(SQLiteTransaction.record)
        }
    }

    /// Whether a photo with this content hash was decided before (for any meter).
    public func hasDecision(imageSHA256: String) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM readings WHERE image_sha256 = ?)", arguments: [imageSHA256])
                ?? false
        }
    }

    /// The newest `limit` readings of a meter, newest first.
    public func readings(ofMeter number: String, limit: Int) throws(StoreError) -> [ReadingRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM readings WHERE meter_number = ? ORDER BY received_at DESC, reading_id DESC LIMIT ?",
                arguments: [number, limit]
            ).map(SQLiteTransaction.record)
        }
    }
}

// MARK: - Retention

extension SQLiteStore {
    /// Audit crops whose every reading was received before `cutoff`.
    public func expiredAuditCrops(before cutoff: Date) throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT audit_path FROM readings WHERE audit_path IS NOT NULL
                    GROUP BY audit_path HAVING MAX(received_at) < ?
                    """,
                arguments: [cutoff])
        }
    }

    /// Forgets the given audit crop paths.
    public func forgetAuditCrops(_ paths: [String]) throws(StoreError) {
        try transaction { db in
            for path in paths {
                try db.execute(sql: "UPDATE readings SET audit_path = NULL WHERE audit_path = ?", arguments: [path])
            }
        }
    }
}

// MARK: - Outbox

extension SQLiteStore {
    /// Claims up to `limit` deliverable messages: visible, and the oldest pending one of its
    /// meter, so a meter's readings reach billing in order even across retries.
    public func claim(limit: Int, visibility: TimeInterval, now: Date) throws(StoreError) -> [OutboxMessage] {
        try transaction { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, reading_id, meter_number, payload, delivery_count FROM outbox AS o
                    WHERE state = 'pending' AND visible_at <= ?
                      AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.meter_number = o.meter_number
                                      AND e.state = 'pending' AND e.seq < o.seq)
                    ORDER BY seq LIMIT ?
                    """,
                arguments: [now, limit])
            let until = now.addingTimeInterval(visibility)
            return try rows.map { row in
                let sequence: Int64 = row["seq"]
                try db.execute(
                    sql: "UPDATE outbox SET visible_at = ?, delivery_count = delivery_count + 1 WHERE seq = ?",
                    arguments: [until, sequence])
                return OutboxMessage(
                    sequence: sequence, readingID: row["reading_id"], meterNumber: row["meter_number"],
                    payload: row["payload"], deliveryCount: (row["delivery_count"] as Int) + 1)
            }
        }
    }

    /// Marks a message delivered.
    public func markDelivered(_ sequence: Int64, at date: Date) throws(StoreError) {
        try transaction { db in
            try db.execute(
                sql: "UPDATE outbox SET state = 'delivered', delivered_at = ?, last_error = NULL WHERE seq = ?",
                arguments: [date, sequence])
        }
    }

    /// Gives a claimed message back untried.
    public func release(_ sequence: Int64) throws(StoreError) {
        try transaction { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET visible_at = ?, delivery_count = MAX(delivery_count - 1, 0)
                    WHERE seq = ? AND state = 'pending'
                    """,
                arguments: [Date(), sequence])
        }
    }

    /// Records a failed delivery: retry later, or dead-letter it.
    public func markFailed(
        _ sequence: Int64, error: String, permanent: Bool, retryAfter: TimeInterval, maxDeliveries: Int, now: Date
    ) throws(StoreError) {
        try transaction { db in
            let count = try Int.fetchOne(db, sql: "SELECT delivery_count FROM outbox WHERE seq = ?", arguments: [sequence]) ?? 0
            if permanent || count >= maxDeliveries {
                try db.execute(
                    sql: "UPDATE outbox SET state = 'dead', last_error = ? WHERE seq = ?", arguments: [error, sequence])
            } else {
                try db.execute(
                    sql: "UPDATE outbox SET visible_at = ?, last_error = ? WHERE seq = ?",
                    arguments: [now.addingTimeInterval(retryAfter), error, sequence])
            }
        }
    }

    /// Message counts by state.
    public func queueCounts() throws(StoreError) -> QueueCounts {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
            var counts = QueueCounts(pending: 0, delivered: 0, dead: 0)
            for row in rows {
                switch row["state"] as String {
                case "pending": counts.pending = row["n"]
                case "delivered": counts.delivered = row["n"]
                default: counts.dead += row["n"] as Int
                }
            }
            return counts
        }
    }
}

// MARK: - Evidence and settings

extension SQLiteStore {
    /// Crops stay files in the state directory, beside this database.
    public var keepsAuditCrops: Bool { false }

    /// SQLite keeps no crops itself.
    public func auditCrop(_ reference: String) throws(StoreError) -> [UInt8]? { nil }

    /// Records the sender-key fingerprint, or refuses a different one.
    public func adoptSenderKey(fingerprint: String) throws(StoreError) {
        let stored: String? = try transaction { db in
            if let known = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'sender_key'") {
                return known
            }
            try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('sender_key', ?)", arguments: [fingerprint])
            return nil
        }
        if let stored, stored != fingerprint { throw .senderKeyMismatch(store: path) }
    }
}
