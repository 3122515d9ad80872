import Foundation

/// A decoded JSON object, as JSONSerialization hands it out.
typealias JSONObject = [String: Any]

/// Lenient readers for the messenger payloads: a field of an unexpected type reads as absent,
/// because messengers add and change fields and one odd field should not lose a meter photo.
enum JSONValue {
    /// A non-empty string.
    static func string(_ value: Any?) -> String? {
        guard let text = value as? String, !text.isEmpty else { return nil }
        return text
    }

    /// A string, or a number written out (ids and phone numbers come as either).
    static func identifier(_ value: Any?) -> String? {
        if let text = string(value) { return text }
        if let number = value as? NSNumber { return number.stringValue }
        return nil
    }

    /// A number, or a string holding one (WhatsApp sends its timestamps as strings).
    static func number(_ value: Any?) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String { return Double(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    /// An object.
    static func object(_ value: Any?) -> JSONObject? {
        value as? JSONObject
    }

    /// The objects of an array; anything else in it is skipped.
    static func objects(_ value: Any?) -> [JSONObject] {
        (value as? [Any])?.compactMap { $0 as? JSONObject } ?? []
    }

    /// Seconds since 1970 as a date.
    static func date(seconds value: Any?) -> Date? {
        number(value).map { Date(timeIntervalSince1970: $0) }
    }

    /// Key names that are safe to print: identifiers only, since a key may itself be a
    /// phone number.
    static func printableKeys(_ object: JSONObject) -> String {
        let keys = object.keys.sorted()
        let safe = keys.filter { key in
            key.count <= 40 && key.first.map { $0.isLetter || $0 == "_" } == true
                && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
        var parts = Array(safe.prefix(12))
        let hidden = keys.count - parts.count
        if hidden > 0 { parts.append("\(hidden) more") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
