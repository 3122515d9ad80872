package import Foundation
package import MeterReading

/// A reading as first recorded, before any clerk or later photo changes it.
package struct NewReading: Sendable {
    package var readingID: String
    package var imageSHA256: String
    /// The meter number, or "" when none is known (the same photo for the same meter is
    /// decided once, and "" makes the unknown meter a key of its own).
    package var meterKey: String
    package var meterNumber: String?
    package var status: ReadingStatus
    package var awaitsConfirmation: Bool
    package var value: String?
    package var integerDigits: String
    package var fractionDigits: String?
    package var confidence: Double
    package var reasonsJSON: String
    package var evidenceJSON: String
    package var receivedAt: Date
    package var decidedAt: Date
    package var channel: String?
    package var messageID: String?
    package var senderRef: String?
    package var source: String?
    package var auditPath: String?
}

/// The table-level steps one store transaction offers. Each backend (SQLite, PostgreSQL)
/// implements them in its own SQL; the decision, review and import flows on top of them are
/// written once (`StoreFlows.swift`), so both stores decide exactly alike.
package protocol StoreTransaction {
    /// One meter with its senders and reference; `lock` holds its row until the transaction
    /// ends, so two decisions for one meter never interleave (a no-op where the whole
    /// transaction already holds the write lock).
    func meter(number: String, lock: Bool) throws -> Meter?
    /// Meter numbers a sender is registered for.
    func meterNumbers(ofSender senderRef: String) throws -> [String]
    /// Inserts a meter or replaces its registry fields (not its reference).
    func upsertMeter(_ meter: Meter, at date: Date) throws
    /// Replaces the senders registered for a meter.
    func replaceSenders(_ senders: Set<String>, ofMeter number: String) throws
    /// Sets the meter's reference reading.
    func setReference(_ reference: ConfirmedReading, ofMeter number: String) throws
    /// The decision already stored for this photo and meter key, if any.
    func reading(imageSHA256: String, meterKey: String) throws -> ReadingRecord?
    /// A reading by its full id or a unique prefix of it.
    func reading(idOrPrefix: String) throws -> ReadingRecord?
    /// Readings of a meter waiting for a newer photo to confirm them, oldest first.
    func pendingReadings(ofMeter number: String) throws -> [PendingReading]
    /// Records a new decision.
    func insert(_ reading: NewReading) throws
    /// Changes a decision; a nil `meterNumber` or `value` keeps the stored one.
    func update(
        readingID: String, status: ReadingStatus, reviewState: String?, meterNumber: String?, value: String?,
        reasons: [Reason], at date: Date) throws
    /// Writes the outbox message of a reading unless it has one (idempotent per reading id).
    func enqueue(readingID: String, meterNumber: String, payload: String, at date: Date) throws
}

/// JSON as the store keeps it: sorted keys, so equal values give equal text.
package func storeJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// The reasons list as stored.
package func decodeReasons(_ json: String) throws -> [Reason] {
    try JSONDecoder().decode([Reason].self, from: Data(json.utf8))
}
