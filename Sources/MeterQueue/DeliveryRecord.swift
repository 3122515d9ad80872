/// The record billing receives for one accepted reading (issue 6's sink format; `reason` is
/// BO4E's `KUNDENSELBSTABLESUNG`, a customer's own reading).
public struct DeliveryRecord: Sendable, Hashable, Codable {
    /// Idempotency key: the same reading delivered twice carries the same id.
    public var readingID: String
    /// The meter.
    public var meterNumber: String
    /// OBIS code of the register, if registered.
    public var obis: String?
    /// Decimal string with the meter's fraction digits.
    public var value: String
    /// Unit, if registered.
    public var unit: String?
    /// When the meter showed the value (ISO 8601).
    public var readAt: String
    /// When MeterScan received the photo (ISO 8601).
    public var receivedAt: String
    /// Always `customer_self_reading`.
    public var reason: String
    /// `accepted`, or `corrected` when a clerk changed the value.
    public var status: String
    /// Recognition confidence, 0…1.
    public var confidence: Double
    /// Messenger channel, if any.
    public var channel: String?
    /// Gateway message id, if any.
    public var messageID: String?
    /// Keyed hash of the sender, if any (never the number itself).
    public var senderRef: String?
    /// SHA-256 of the photo.
    public var imageSHA256: String

    enum CodingKeys: String, CodingKey {
        case readingID = "reading_id", meterNumber = "meter_number", obis, value, unit
        case readAt = "read_at", receivedAt = "received_at", reason, status, confidence, channel
        case messageID = "message_id", senderRef = "sender_ref", imageSHA256 = "image_sha256"
    }

    /// Encodes every field, absent ones as null, so every record has the same shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(readingID, forKey: .readingID)
        try container.encode(meterNumber, forKey: .meterNumber)
        try container.encode(obis, forKey: .obis)
        try container.encode(value, forKey: .value)
        try container.encode(unit, forKey: .unit)
        try container.encode(readAt, forKey: .readAt)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(reason, forKey: .reason)
        try container.encode(status, forKey: .status)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(channel, forKey: .channel)
        try container.encode(messageID, forKey: .messageID)
        try container.encode(senderRef, forKey: .senderRef)
        try container.encode(imageSHA256, forKey: .imageSHA256)
    }
}
