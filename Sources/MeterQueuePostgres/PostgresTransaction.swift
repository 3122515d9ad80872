import Foundation
import Logging
import MeterQueue
import MeterReading
import PostgresNIO

/// The store's table steps in PostgreSQL's SQL, on one connection inside one transaction.
/// Values are bound as parameters by `PostgresQuery`'s interpolation, never spliced into SQL.
struct PostgresTransaction: StoreTransaction {
    let connection: PostgresConnection
    let logger: Logger

    func execute(_ query: PostgresQuery) throws {
        _ = try connection.query(query, logger: logger).wait()
    }

    func strings(_ query: PostgresQuery) throws -> [String] {
        try connection.query(query, logger: logger).wait().rows.map { try $0.decode(String.self) }
    }

    func records(_ query: PostgresQuery) throws -> [ReadingRecord] {
        try connection.query(query, logger: logger).wait().rows.map(Self.record)
    }

    func meter(number: String, lock: Bool) throws -> Meter? {
        let query: PostgresQuery =
            lock
            ? "SELECT * FROM meters WHERE number = \(number) FOR UPDATE"
            : "SELECT * FROM meters WHERE number = \(number)"
        guard let found = try connection.query(query, logger: logger).wait().rows.first else { return nil }
        let row = found.makeRandomAccess()
        let senders = try strings(
            "SELECT sender_ref FROM meter_senders WHERE meter_number = \(number) ORDER BY sender_ref")
        var reference: ConfirmedReading?
        if let text = try row["reference_value"].decode(String?.self), let value = MeterValue(parsing: text),
            let readAt = try row["reference_read_at"].decode(Date?.self)
        {
            reference = ConfirmedReading(
                value: value, readAt: readAt, readingID: try row["reference_reading_id"].decode(String?.self))
        }
        return Meter(
            number: try row["number"].decode(String.self),
            medium: try row["medium"].decode(String?.self).flatMap(Medium.init(rawValue:)),
            unit: try row["unit"].decode(String?.self), obis: try row["obis"].decode(String?.self),
            integerDigits: try row["integer_digits"].decode(Int?.self),
            fractionDigits: try row["fraction_digits"].decode(Int?.self),
            maxPerDay: try row["max_per_day"].decode(Double?.self), senders: senders, reference: reference)
    }

    func meterNumbers(ofSender senderRef: String) throws -> [String] {
        try strings("SELECT meter_number FROM meter_senders WHERE sender_ref = \(senderRef)")
    }

    func upsertMeter(_ meter: Meter, at date: Date) throws {
        try execute(
            """
            INSERT INTO meters (number, medium, unit, obis, integer_digits, fraction_digits, max_per_day, updated_at)
            VALUES (\(meter.number), \(meter.medium?.rawValue), \(meter.unit), \(meter.obis), \(meter.integerDigits),
                    \(meter.fractionDigits), \(meter.maxPerDay), \(date))
            ON CONFLICT (number) DO UPDATE SET medium = excluded.medium, unit = excluded.unit,
                obis = excluded.obis, integer_digits = excluded.integer_digits,
                fraction_digits = excluded.fraction_digits, max_per_day = excluded.max_per_day,
                updated_at = excluded.updated_at
            """)
    }

    func replaceSenders(_ senders: Set<String>, ofMeter number: String) throws {
        try execute("DELETE FROM meter_senders WHERE meter_number = \(number)")
        for sender in senders {
            try execute("INSERT INTO meter_senders (meter_number, sender_ref) VALUES (\(number), \(sender))")
        }
    }

    func setReference(_ reference: ConfirmedReading, ofMeter number: String) throws {
        try execute(
            """
            UPDATE meters SET reference_value = \(reference.value.description), reference_read_at = \(reference.readAt),
                reference_reading_id = \(reference.readingID)
            WHERE number = \(number)
            """)
    }

    func reading(imageSHA256: String, meterKey: String) throws -> ReadingRecord? {
        try records("SELECT * FROM readings WHERE image_sha256 = \(imageSHA256) AND meter_key = \(meterKey)").first
    }

    func reading(idOrPrefix id: String) throws -> ReadingRecord? {
        let wanted = id.lowercased()
        guard !wanted.isEmpty else { return nil }
        let pattern = likePrefix(wanted)
        return try uniqueMatch(
            records(
                """
                SELECT * FROM readings WHERE reading_id = \(wanted) OR reading_id LIKE \(pattern) ESCAPE '\\' LIMIT 3
                """), for: id)
    }

    func pendingReadings(ofMeter number: String) throws -> [PendingReading] {
        try connection.query(
            """
            SELECT reading_id, value, received_at, image_sha256 FROM readings
            WHERE meter_number = \(number) AND awaits_confirmation AND review_state = 'open'
            ORDER BY received_at
            """, logger: logger
        ).wait().rows.compactMap { row in
            let (readingID, text, readAt, sha) = try row.decode((String, String?, Date, String).self)
            guard let text, let value = MeterValue(parsing: text) else { return nil }
            return PendingReading(readingID: readingID, value: value, readAt: readAt, imageSHA256: sha)
        }
    }

    func insert(_ reading: NewReading) throws {
        let reviewState: String? = reading.status == .review ? "open" : nil
        try execute(
            """
            INSERT INTO readings (reading_id, image_sha256, meter_key, meter_number, status, review_state,
                awaits_confirmation, value, integer_digits, fraction_digits, confidence, reasons, evidence,
                received_at, decided_at, channel, message_id, sender_ref, source, audit_path)
            VALUES (\(reading.readingID), \(reading.imageSHA256), \(reading.meterKey), \(reading.meterNumber),
                \(reading.status.rawValue), \(reviewState), \(reading.awaitsConfirmation), \(reading.value),
                \(reading.integerDigits), \(reading.fractionDigits), \(reading.confidence), \(reading.reasonsJSON),
                \(reading.evidenceJSON), \(reading.receivedAt), \(reading.decidedAt), \(reading.channel),
                \(reading.messageID), \(reading.senderRef), \(reading.source), \(reading.auditPath))
            """)
    }

    func update(
        readingID: String, status: ReadingStatus, reviewState: String?, meterNumber: String?, value: String?,
        reasons: [Reason], at date: Date
    ) throws {
        let reasonsJSON = try storeJSON(reasons)
        try execute(
            """
            UPDATE readings SET status = \(status.rawValue), review_state = \(reviewState), awaits_confirmation = FALSE,
                meter_number = COALESCE(\(meterNumber), meter_number), value = COALESCE(\(value), value),
                reasons = \(reasonsJSON), decided_at = \(date)
            WHERE reading_id = \(readingID)
            """)
    }

    func enqueue(readingID: String, meterNumber: String, payload: String, at date: Date) throws {
        try execute(
            """
            INSERT INTO outbox (reading_id, meter_number, payload, visible_at, created_at)
            VALUES (\(readingID), \(meterNumber), \(payload), \(date), \(date)) ON CONFLICT (reading_id) DO NOTHING
            """)
        // Delivered when the transaction commits, and only then: a consumer woken by it finds
        // the message.
        try execute("SELECT pg_notify(\(PostgresStore.outboxChannel), '')")
    }

    static func record(_ found: PostgresRow) throws -> ReadingRecord {
        let row = found.makeRandomAccess()
        return ReadingRecord(
            readingID: try row["reading_id"].decode(String.self),
            status: ReadingStatus(rawValue: try row["status"].decode(String.self)) ?? .review,
            reviewState: try row["review_state"].decode(String?.self),
            meterNumber: try row["meter_number"].decode(String?.self), value: try row["value"].decode(String?.self),
            confidence: try row["confidence"].decode(Double.self),
            reasons: try decodeReasons(try row["reasons"].decode(String.self)),
            receivedAt: try row["received_at"].decode(Date.self), decidedAt: try row["decided_at"].decode(Date.self),
            imageSHA256: try row["image_sha256"].decode(String.self), source: try row["source"].decode(String?.self),
            auditPath: try row["audit_path"].decode(String?.self), channel: try row["channel"].decode(String?.self),
            messageID: try row["message_id"].decode(String?.self), senderRef: try row["sender_ref"].decode(String?.self),
            evidenceJSON: try row["evidence"].decode(String.self))
    }
}
