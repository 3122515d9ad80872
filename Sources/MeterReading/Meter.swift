public import Foundation

/// What a meter measures.
public enum Medium: String, Sendable, Hashable, Codable, CaseIterable {
    case electricity, gas, water, heat
}

/// A meter as the utility registered it: what it measures and what its readings may look like.
public struct Meter: Sendable, Hashable, Codable {
    /// The meter number printed on the meter (the registry key).
    public var number: String
    /// What it measures, when known.
    public var medium: Medium?
    /// Unit of the register, e.g. "m3" or "kWh".
    public var unit: String?
    /// OBIS code of the register, e.g. "1-0:1.8.0" (electricity), "7-0:3.0.0" (gas).
    public var obis: String?
    /// Integer digits of the register, when known.
    public var integerDigits: Int?
    /// Fraction digits of the register, when known.
    public var fractionDigits: Int?
    /// Highest plausible consumption per day, in `unit`.
    public var maxPerDay: Double?
    /// Keyed hashes of the senders allowed to report this meter (empty: anyone).
    public var senders: [String]
    /// The last confirmed reading: the reference new readings are checked against.
    public var reference: ConfirmedReading?

    /// A meter with the given registry fields.
    public init(
        number: String, medium: Medium? = nil, unit: String? = nil, obis: String? = nil,
        integerDigits: Int? = nil, fractionDigits: Int? = nil, maxPerDay: Double? = nil,
        senders: [String] = [], reference: ConfirmedReading? = nil
    ) {
        self.number = number
        self.medium = medium
        self.unit = unit
        self.obis = obis
        self.integerDigits = integerDigits
        self.fractionDigits = fractionDigits
        self.maxPerDay = maxPerDay
        self.senders = senders
        self.reference = reference
    }
}

/// A reading that counts as true: imported from the utility, accepted, or confirmed by a clerk.
public struct ConfirmedReading: Sendable, Hashable, Codable {
    /// The value.
    public var value: MeterValue
    /// When the meter showed it.
    public var readAt: Date
    /// The reading it came from, or nil when imported with the registry.
    public var readingID: String?

    /// A confirmed `value` seen at `readAt`.
    public init(value: MeterValue, readAt: Date, readingID: String? = nil) {
        self.value = value
        self.readAt = readAt
        self.readingID = readingID
    }
}

/// A confident reading that failed a plausibility rule and waits for confirmation (a clerk, or
/// a newer independent reading consistent with it).
public struct PendingReading: Sendable, Hashable, Codable {
    /// Its reading id.
    public var readingID: String
    /// The value read.
    public var value: MeterValue
    /// When it was read.
    public var readAt: Date
    /// SHA-256 of the photo, so the same photo never confirms itself.
    public var imageSHA256: String

    /// A pending reading.
    public init(readingID: String, value: MeterValue, readAt: Date, imageSHA256: String) {
        self.readingID = readingID
        self.value = value
        self.readAt = readAt
        self.imageSHA256 = imageSHA256
    }
}
