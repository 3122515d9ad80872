public import Foundation
import GRDB
public import MeterReading

extension SQLiteStore {
    /// Identifies the meter, validates and records the decision, and enqueues accepted
    /// readings, all in one transaction.
    public func decide(_ request: DecisionRequest, validator: ReadingValidator) throws(StoreError)
        -> StoredDecision
    {
        try transaction { db in
            let (number, meter) = try Self.identify(request, db)
            let meterKey = number ?? ""
            if let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM readings WHERE image_sha256 = ? AND meter_key = ?",
                arguments: [request.imageSHA256, meterKey])
            {
                let record = try Self.record(existing)
                return StoredDecision(
                    readingID: record.readingID, status: record.status,
                    reasons: record.reasons
                        + [Reason(.duplicatePhoto, "this photo was received before; its decision stands")],
                    meter: meter, meterNumber: number, value: record.value, isRepeat: true, enqueued: [])
            }
            let pending = try meter.map { try Self.pendingReadings(of: $0.number, db) } ?? []
            let context = ValidationContext(
                meter: meter, pending: pending, sender: request.senderRef, readAt: request.receivedAt,
                imageSHA256: request.imageSHA256)
            let verdict = validator.validate(request.recognized, in: context)
            let readingID = ReadingID.make()
            let fractionDigits = meter?.fractionDigits ?? request.recognized.fraction?.count ?? 0
            let value = verdict.value?.formatted(fractionDigits: fractionDigits)
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO readings (reading_id, image_sha256, meter_key, meter_number, status, review_state,
                        awaits_confirmation, value, integer_digits, fraction_digits, confidence, reasons, evidence,
                        received_at, decided_at, channel, message_id, sender_ref, source, audit_path)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    readingID, request.imageSHA256, meterKey, number, verdict.status.rawValue,
                    verdict.status == .review ? "open" : nil, verdict.awaitsConfirmation, value,
                    request.recognized.integer, request.recognized.fraction, request.confidence,
                    try Self.json(verdict.reasons), request.evidenceJSON, request.receivedAt, now,
                    request.channel, request.messageID, request.senderRef, request.source, request.auditPath,
                ])
            var enqueued: [String] = []
            if verdict.status == .accepted, let meter {
                for confirmed in verdict.confirms {
                    try Self.markConfirmed(confirmed.readingID, by: readingID, at: now, db)
                    try Self.enqueue(confirmed.readingID, meter: meter, status: "accepted", at: now, db)
                    enqueued.append(confirmed.readingID)
                }
                try Self.enqueue(readingID, meter: meter, status: "accepted", at: now, db)
                enqueued.append(readingID)
                if verdict.becomesReference, let readingValue = verdict.value {
                    try Self.moveReference(
                        to: ConfirmedReading(value: readingValue, readAt: request.receivedAt, readingID: readingID),
                        of: meter, db)
                }
            }
            return StoredDecision(
                readingID: readingID, status: verdict.status, reasons: verdict.reasons, meter: meter,
                meterNumber: number, value: value, isRepeat: false, enqueued: enqueued)
        }
    }

    /// The meter a photo shows: the number given with it; else a registered meter number in
    /// the caption; else the sender's meter when the sender has registered exactly one.
    static func identify(_ request: DecisionRequest, _ db: Database) throws -> (String?, Meter?) {
        if let given = request.meterNumber?.trimmingCharacters(in: .whitespaces), !given.isEmpty {
            return (given, try meter(number: given, db))
        }
        if let caption = request.caption {
            for token in MeterNumberTokens.candidates(in: caption) {
                if let meter = try meter(number: token, db) { return (meter.number, meter) }
            }
        }
        if let sender = request.senderRef {
            let numbers = try String.fetchAll(
                db, sql: "SELECT meter_number FROM meter_senders WHERE sender_ref = ?", arguments: [sender])
            if numbers.count == 1, let meter = try meter(number: numbers[0], db) { return (meter.number, meter) }
        }
        return (nil, nil)
    }

    static func pendingReadings(of meter: String, _ db: Database) throws -> [PendingReading] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT reading_id, value, received_at, image_sha256 FROM readings
                WHERE meter_number = ? AND awaits_confirmation AND review_state = 'open'
                ORDER BY received_at
                """,
            arguments: [meter]
        ).compactMap { row in
            guard let text: String = row["value"], let value = MeterValue(parsing: text) else { return nil }
            return PendingReading(
                readingID: row["reading_id"], value: value, readAt: row["received_at"],
                imageSHA256: row["image_sha256"])
        }
    }

    static func markConfirmed(_ readingID: String, by confirming: String, at date: Date, _ db: Database) throws {
        var reasons = try reasons(of: readingID, db)
        reasons.append(Reason(.confirmedByNewerReading, "confirmed by the newer reading \(confirming)"))
        try db.execute(
            sql: """
                UPDATE readings SET status = 'accepted', review_state = 'confirmed', awaits_confirmation = 0,
                    reasons = ?, decided_at = ? WHERE reading_id = ?
                """,
            arguments: [try json(reasons), date, readingID])
    }

    /// Makes `reference` the meter's reference unless the meter already has a newer one.
    static func moveReference(to reference: ConfirmedReading, of meter: Meter, _ db: Database) throws {
        if let current = try Self.meter(number: meter.number, db)?.reference, current.readAt > reference.readAt {
            return
        }
        try setReference(reference, meter: meter.number, db)
    }

    /// Writes the outbox message for an accepted reading (idempotent per reading id).
    static func enqueue(_ readingID: String, meter: Meter, status: String, at date: Date, _ db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM readings WHERE reading_id = ?", arguments: [readingID])
        else { return }
        let receivedAt: Date = row["received_at"]
        let record = DeliveryRecord(
            readingID: readingID, meterNumber: meter.number, obis: meter.obis, value: row["value"] ?? "",
            unit: meter.unit, readAt: isoTimestamp(receivedAt), receivedAt: isoTimestamp(receivedAt),
            reason: "customer_self_reading", status: status, confidence: row["confidence"],
            channel: row["channel"], messageID: row["message_id"], senderRef: row["sender_ref"],
            imageSHA256: row["image_sha256"])
        try db.execute(
            sql: """
                INSERT INTO outbox (reading_id, meter_number, payload, visible_at, created_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (reading_id) DO NOTHING
                """,
            arguments: [readingID, meter.number, try json(record), date, date])
    }

    static func reasons(of readingID: String, _ db: Database) throws -> [Reason] {
        let text = try String.fetchOne(db, sql: "SELECT reasons FROM readings WHERE reading_id = ?", arguments: [readingID])
        return try JSONDecoder().decode([Reason].self, from: Data((text ?? "[]").utf8))
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func record(_ row: Row) throws -> ReadingRecord {
        ReadingRecord(
            readingID: row["reading_id"],
            status: ReadingStatus(rawValue: row["status"]) ?? .review,
            reviewState: row["review_state"], meterNumber: row["meter_number"], value: row["value"],
            confidence: row["confidence"],
            reasons: try JSONDecoder().decode([Reason].self, from: Data((row["reasons"] as String).utf8)),
            receivedAt: row["received_at"], decidedAt: row["decided_at"], imageSHA256: row["image_sha256"],
            source: row["source"], auditPath: row["audit_path"], channel: row["channel"],
            messageID: row["message_id"], evidenceJSON: row["evidence"])
    }
}

/// ISO 8601 in UTC with seconds, as billing importers expect (and listings show).
public func isoTimestamp(_ date: Date) -> String {
    date.formatted(.iso8601)
}

/// Meter-number-like tokens in free text (a caption such as "Zähler 12345678, Stand vom 1.3.").
enum MeterNumberTokens {
    /// Runs of letters, digits and '-' with at least four digits, in order of appearance.
    static func candidates(in text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber || $0 == "-") }
            .map(String.init)
            .filter { $0.count(where: \.isNumber) >= 4 }
    }
}
