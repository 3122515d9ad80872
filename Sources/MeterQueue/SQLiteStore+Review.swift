public import Foundation
import GRDB
import MeterReading

extension SQLiteStore {
    /// Readings a clerk must decide, oldest first.
    public func openReviews() throws(StoreError) -> [ReadingRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM readings WHERE review_state = 'open' ORDER BY received_at, reading_id"
            ).map(Self.record)
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
            ).map(Self.record)
        }
    }

    /// One reading by id or by a unique prefix of it.
    public func reading(id: String) throws(StoreError) -> ReadingRecord? {
        try read { db in try Self.findReading(id, db).map(Self.record) }
    }

    /// Applies a clerk's decision to a reading in review. Accepting or correcting needs a
    /// registered meter (`meterNumber` assigns one to a photo that had none), enqueues the
    /// reading and makes it the reference unless a newer one exists.
    public func resolve(id: String, action: ClerkAction, meterNumber: String? = nil, at date: Date)
        throws(StoreError) -> ReadingRecord
    {
        try transaction { db in
            guard let row = try Self.findReading(id, db) else { throw StoreError.invalid("no reading \(id)") }
            let record = try Self.record(row)
            guard record.reviewState == "open" else {
                throw StoreError.invalid(
                    "reading \(record.readingID) is not waiting for review (it is \(record.status.rawValue))")
            }
            var reasons = record.reasons
            switch action {
            case .reject:
                reasons.append(Reason(.clerkDecision, "rejected by a clerk"))
                try db.execute(
                    sql: """
                        UPDATE readings SET status = 'rejected', review_state = 'rejected', awaits_confirmation = 0,
                            reasons = ?, decided_at = ? WHERE reading_id = ?
                        """,
                    arguments: [try Self.json(reasons), date, record.readingID])
            case .accept, .correct:
                guard let number = meterNumber ?? record.meterNumber,
                    let meter = try Self.meter(number: number, db)
                else {
                    throw StoreError.invalid(
                        "reading \(record.readingID) has no registered meter; give one with --meter")
                }
                let value: MeterValue
                let state: String
                if case .correct(let corrected) = action {
                    value = corrected
                    state = "corrected"
                    reasons.append(Reason(.clerkDecision, "corrected by a clerk to \(corrected)"))
                } else {
                    guard let text = record.value, let read = MeterValue(parsing: text) else {
                        throw StoreError.invalid(
                            "reading \(record.readingID) has unreadable digits; use `review correct` with the value")
                    }
                    value = read
                    state = "accepted"
                    reasons.append(Reason(.clerkDecision, "accepted by a clerk"))
                }
                let formatted = value.formatted(fractionDigits: meter.fractionDigits ?? 0)
                try db.execute(
                    sql: """
                        UPDATE readings SET status = 'accepted', review_state = ?, awaits_confirmation = 0,
                            meter_number = ?, value = ?, reasons = ?, decided_at = ? WHERE reading_id = ?
                        """,
                    arguments: [state, meter.number, formatted, try Self.json(reasons), date, record.readingID])
                try Self.enqueue(record.readingID, meter: meter, status: state, at: date, db)
                try Self.moveReference(
                    to: ConfirmedReading(value: value, readAt: record.receivedAt, readingID: record.readingID),
                    of: meter, db)
            }
            guard let updated = try Self.findReading(record.readingID, db) else {
                throw StoreError.invalid("reading \(record.readingID) vanished")
            }
            return try Self.record(updated)
        }
    }

    static func findReading(_ id: String, _ db: Database) throws -> Row? {
        let trimmed = id.lowercased()
        guard !trimmed.isEmpty else { return nil }
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM readings WHERE reading_id = ? OR reading_id LIKE ? ESCAPE '\\' LIMIT 3",
            arguments: [trimmed, Self.likePrefix(trimmed)])
        if let exact = rows.first(where: { ($0["reading_id"] as String) == trimmed }) { return exact }
        if rows.count > 1 { throw StoreError.invalid("\(id) matches more than one reading; give more of the id") }
        return rows.first
    }

    private static func likePrefix(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
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
