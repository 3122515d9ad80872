public import Foundation
import GRDB
public import MeterReading

extension SQLiteStore {
    /// Adds or updates meters, all or nothing.
    public func importMeters(_ meters: [Meter]) throws(StoreError) -> ImportSummary {
        try transaction { try SQLiteTransaction(db: $0).importMeters(meters) }
    }

    /// Every meter, ordered by number.
    public func meters() throws(StoreError) -> [Meter] {
        try read { db in
            let numbers = try String.fetchAll(db, sql: "SELECT number FROM meters ORDER BY number")
            let steps = SQLiteTransaction(db: db)
            return try numbers.compactMap { try steps.meter(number: $0, lock: false) }
        }
    }

    /// One meter, or nil.
    public func meter(number: String) throws(StoreError) -> Meter? {
        try read { try SQLiteTransaction(db: $0).meter(number: number, lock: false) }
    }

    /// Identifies the meter, validates and records the decision, and enqueues accepted
    /// readings, all in one transaction.
    public func decide(_ request: DecisionRequest, validator: ReadingValidator) throws(StoreError)
        -> StoredDecision
    {
        try transaction { try SQLiteTransaction(db: $0).decide(request, validator: validator) }
    }

    /// Applies a clerk's decision to a reading in review (see `StoreTransaction.resolve`).
    public func resolve(id: String, action: ClerkAction, meterNumber: String? = nil, at date: Date)
        throws(StoreError) -> ReadingRecord
    {
        try transaction { try SQLiteTransaction(db: $0).resolve(id: id, action: action, meterNumber: meterNumber, at: date) }
    }

    /// One reading by id or by a unique prefix of it.
    public func reading(id: String) throws(StoreError) -> ReadingRecord? {
        try read { try SQLiteTransaction(db: $0).reading(idOrPrefix: id) }
    }
}

/// The store's table steps in SQLite's SQL, inside one GRDB transaction. Meter locks are
/// no-ops: every write transaction is IMMEDIATE and so already holds the database's write lock.
struct SQLiteTransaction: StoreTransaction {
    let db: Database

    func meter(number: String, lock: Bool) throws -> Meter? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM meters WHERE number = ?", arguments: [number])
        else { return nil }
        let senders = try String.fetchAll(
            db, sql: "SELECT sender_ref FROM meter_senders WHERE meter_number = ? ORDER BY sender_ref",
            arguments: [number])
        var reference: ConfirmedReading?
        if let text: String = row["reference_value"], let value = MeterValue(parsing: text),
            let readAt: Date = row["reference_read_at"]
        {
            reference = ConfirmedReading(value: value, readAt: readAt, readingID: row["reference_reading_id"])
        }
        return Meter(
            number: row["number"], medium: (row["medium"] as String?).flatMap(Medium.init(rawValue:)),
            unit: row["unit"], obis: row["obis"], integerDigits: row["integer_digits"],
            fractionDigits: row["fraction_digits"], maxPerDay: row["max_per_day"], senders: senders,
            reference: reference)
    }

    func meterNumbers(ofSender senderRef: String) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT meter_number FROM meter_senders WHERE sender_ref = ?", arguments: [senderRef])
    }

    func upsertMeter(_ meter: Meter, at date: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO meters (number, medium, unit, obis, integer_digits, fraction_digits, max_per_day, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (number) DO UPDATE SET medium = excluded.medium, unit = excluded.unit,
                    obis = excluded.obis, integer_digits = excluded.integer_digits,
                    fraction_digits = excluded.fraction_digits, max_per_day = excluded.max_per_day,
                    updated_at = excluded.updated_at
                """,
            arguments: [
                meter.number, meter.medium?.rawValue, meter.unit, meter.obis, meter.integerDigits,
                meter.fractionDigits, meter.maxPerDay, date,
            ])
    }

    func replaceSenders(_ senders: Set<String>, ofMeter number: String) throws {
        try db.execute(sql: "DELETE FROM meter_senders WHERE meter_number = ?", arguments: [number])
        for sender in senders {
            try db.execute(
                sql: "INSERT INTO meter_senders (meter_number, sender_ref) VALUES (?, ?)", arguments: [number, sender])
        }
    }

    func setReference(_ reference: ConfirmedReading, ofMeter number: String) throws {
        try db.execute(
            sql: "UPDATE meters SET reference_value = ?, reference_read_at = ?, reference_reading_id = ? WHERE number = ?",
            arguments: [reference.value.description, reference.readAt, reference.readingID, number])
    }

    func reading(imageSHA256: String, meterKey: String) throws -> ReadingRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM readings WHERE image_sha256 = ? AND meter_key = ?",
            arguments: [imageSHA256, meterKey]
        ).map(Self.record)
    }

    func reading(idOrPrefix id: String) throws -> ReadingRecord? {
        let wanted = id.lowercased()
        guard !wanted.isEmpty else { return nil }
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM readings WHERE reading_id = ? OR reading_id LIKE ? ESCAPE '\\' LIMIT 3",
            arguments: [wanted, likePrefix(wanted)])
        return try uniqueMatch(rows.map(Self.record), for: id)
    }

    func pendingReadings(ofMeter number: String) throws -> [PendingReading] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT reading_id, value, received_at, image_sha256 FROM readings
                WHERE meter_number = ? AND awaits_confirmation AND review_state = 'open'
                ORDER BY received_at
                """,
            arguments: [number]
        ).compactMap { row in
            guard let text: String = row["value"], let value = MeterValue(parsing: text) else { return nil }
            return PendingReading(
                readingID: row["reading_id"], value: value, readAt: row["received_at"], imageSHA256: row["image_sha256"])
        }
    }

    func insert(_ reading: NewReading) throws {
        try db.execute(
            sql: """
                INSERT INTO readings (reading_id, image_sha256, meter_key, meter_number, status, review_state,
                    awaits_confirmation, value, integer_digits, fraction_digits, confidence, reasons, evidence,
                    received_at, decided_at, channel, message_id, sender_ref, source, audit_path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                reading.readingID, reading.imageSHA256, reading.meterKey, reading.meterNumber, reading.status.rawValue,
                reading.status == .review ? "open" : nil, reading.awaitsConfirmation, reading.value,
                reading.integerDigits, reading.fractionDigits, reading.confidence, reading.reasonsJSON,
                reading.evidenceJSON, reading.receivedAt, reading.decidedAt, reading.channel, reading.messageID,
                reading.senderRef, reading.source, reading.auditPath,
            ])
    }

    func update(
        readingID: String, status: ReadingStatus, reviewState: String?, meterNumber: String?, value: String?,
        reasons: [Reason], at date: Date
    ) throws {
        try db.execute(
            sql: """
                UPDATE readings SET status = ?, review_state = ?, awaits_confirmation = 0,
                    meter_number = COALESCE(?, meter_number), value = COALESCE(?, value), reasons = ?, decided_at = ?
                WHERE reading_id = ?
                """,
            arguments: [status.rawValue, reviewState, meterNumber, value, try storeJSON(reasons), date, readingID])
    }

    func enqueue(readingID: String, meterNumber: String, payload: String, at date: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO outbox (reading_id, meter_number, payload, visible_at, created_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (reading_id) DO NOTHING
                """,
            arguments: [readingID, meterNumber, payload, date, date])
    }

    static func record(_ row: Row) throws -> ReadingRecord {
        ReadingRecord(
            readingID: row["reading_id"], status: ReadingStatus(rawValue: row["status"]) ?? .review,
            reviewState: row["review_state"], meterNumber: row["meter_number"], value: row["value"],
            confidence: row["confidence"], reasons: try decodeReasons(row["reasons"]), receivedAt: row["received_at"],
            decidedAt: row["decided_at"], imageSHA256: row["image_sha256"], source: row["source"],
            auditPath: row["audit_path"], channel: row["channel"], messageID: row["message_id"],
            senderRef: row["sender_ref"], evidenceJSON: row["evidence"])
    }
}

/// A LIKE pattern matching strings that start with `text` (with `\` as the escape character).
package func likePrefix(_ text: String) -> String {
    var escaped = ""
    for character in text {
        if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
        escaped.append(character)
    }
    return escaped + "%"
}

/// The one reading an id or id prefix names: an exact match wins; several prefix matches are
/// an error a person can fix by giving more of the id.
package func uniqueMatch(_ records: [ReadingRecord], for id: String) throws -> ReadingRecord? {
    if let exact = records.first(where: { $0.readingID == id.lowercased() }) { return exact }
    if records.count > 1 { throw StoreError.invalid("\(id) matches more than one reading; give more of the id") }
    return records.first
}
