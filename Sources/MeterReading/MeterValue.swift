/// A counter value as an exact fixed-point number (1/10000 units), so comparisons and
/// consumption never suffer binary rounding ("1189.27" stays 1189.27).
public struct MeterValue: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Fraction digits the fixed point keeps; meters show at most 3, a fourth is headroom.
    public static let scale = 4
    private static let unit: Int64 = 10_000

    /// The value in 1/10000 units.
    public var tenThousandths: Int64

    /// A value from its raw fixed-point representation.
    public init(tenThousandths: Int64) {
        self.tenThousandths = tenThousandths
    }

    /// A whole number of units.
    public init(units: Int64) {
        tenThousandths = units * Self.unit
    }

    /// Parses the digits as read: `integer` digits (leading zeros allowed) and optional
    /// `fraction` digits. Nil when either holds anything but digits, or is too long.
    public init?(integer: String, fraction: String? = nil) {
        guard !integer.isEmpty, integer.count <= 14, integer.allSatisfy(\.isASCIIDigit),
            let whole = Int64(integer)
        else { return nil }
        var parts = whole * Self.unit
        if let fraction, !fraction.isEmpty {
            guard fraction.allSatisfy(\.isASCIIDigit) else { return nil }
            // Digits beyond the scale are dropped (truncation, as a meter drum is read).
            let kept = String(fraction.prefix(Self.scale))
            let padded = kept + String(repeating: "0", count: Self.scale - kept.count)
            parts += Int64(padded) ?? 0
        }
        tenThousandths = parts
    }

    /// Parses a decimal string such as "1189.27" or "1189,27" (German decimal comma).
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        let separator = trimmed.firstIndex { $0 == "." || $0 == "," }
        if let separator {
            self.init(
                integer: String(trimmed[..<separator]),
                fraction: String(trimmed[trimmed.index(after: separator)...]))
        } else {
            self.init(integer: trimmed)
        }
    }

    /// The value as a number, for rates (never for comparisons).
    public var doubleValue: Double { Double(tenThousandths) / Double(Self.unit) }

    /// The value with exactly `fractionDigits` digits after a `.` (truncated, never rounded
    /// up: a meter has not reached the next unit until its drum shows it).
    public func formatted(fractionDigits: Int) -> String {
        let sign = tenThousandths < 0 ? "-" : ""
        let magnitude = tenThousandths.magnitude
        let whole = magnitude / UInt64(Self.unit)
        guard fractionDigits > 0 else { return sign + String(whole) }
        let digits = min(fractionDigits, Self.scale)
        var fraction = String(magnitude % UInt64(Self.unit))
        fraction = String(repeating: "0", count: Self.scale - fraction.count) + fraction
        let shown = String(fraction.prefix(digits))
            + String(repeating: "0", count: fractionDigits - digits)
        return sign + String(whole) + "." + shown
    }

    /// The shortest exact decimal form ("1189.27", "1500").
    public var description: String {
        var text = formatted(fractionDigits: Self.scale)
        while text.hasSuffix("0"), text.contains(".") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Orders by value.
    public static func < (lhs: MeterValue, rhs: MeterValue) -> Bool {
        lhs.tenThousandths < rhs.tenThousandths
    }

    /// The difference `lhs - rhs`.
    public static func - (lhs: MeterValue, rhs: MeterValue) -> MeterValue {
        MeterValue(tenThousandths: lhs.tenThousandths - rhs.tenThousandths)
    }

    /// The sum `lhs + rhs`.
    public static func + (lhs: MeterValue, rhs: MeterValue) -> MeterValue {
        MeterValue(tenThousandths: lhs.tenThousandths + rhs.tenThousandths)
    }

    /// Encoded as its exact decimal string.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = MeterValue(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a meter value: \(text)"))
        }
        self = value
    }

    /// Encoded as its exact decimal string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Character {
    /// 0–9 only (not other scripts' digits, which `isNumber` accepts).
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
