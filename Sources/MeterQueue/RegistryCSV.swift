import Foundation
public import MeterReading
import SwiftCSV

/// The utility's meter list as CSV (`;` or `,` separated, header row, columns by name):
/// `meter_number` (required), `medium`, `unit`, `obis`, `integer_digits`, `fraction_digits`,
/// `max_per_day`, `last_reading`, `last_read_at` (ISO date), `senders` (space-separated).
/// Unknown columns are ignored.
public enum RegistryCSV {
    /// A problem on one line of the file.
    public struct LineError: Error, Sendable, Hashable, CustomStringConvertible {
        /// 1-based line number in the file (the header is line 1).
        public var line: Int
        /// What is wrong.
        public var message: String

        /// "line N: message".
        public var description: String { "line \(line): \(message)" }
    }

    /// Why a file could not be imported: every line error found, or a file-level problem.
    public struct ImportError: Error, Sendable, CustomStringConvertible {
        /// Every problem, in file order.
        public var errors: [LineError]

        /// One problem per line.
        public var description: String { errors.map(\.description).joined(separator: "\n") }
    }

    /// Parses the whole file; throws every problem at once so nothing is half-imported.
    /// `hashSender` turns a phone number or messenger id into its keyed hash.
    public static func parse(_ text: String, hashSender: (String) -> String) throws(ImportError) -> [Meter] {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let delimiter: CSVDelimiter =
            firstLine.count(where: { $0 == ";" }) > firstLine.count(where: { $0 == "," }) ? .semicolon : .comma
        let csv: CSV<Enumerated>
        do {
            csv = try CSV<Enumerated>(string: text, delimiter: delimiter, loadColumns: false)
        } catch {
            throw ImportError(errors: [LineError(line: 1, message: "not a readable CSV file (\(error))")])
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let numberColumn = header.firstIndex(of: "meter_number") else {
            throw ImportError(errors: [
                LineError(line: 1, message: "the header has no meter_number column (found: \(header.joined(separator: ", ")))")
            ])
        }
        let decimalComma = delimiter == .semicolon
        var meters: [Meter] = []
        var errors: [LineError] = []
        var seen: [String: Int] = [:]
        for (offset, fields) in csv.rows.enumerated() {
            let line = offset + 2
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            if fields.count > header.count,
                fields[header.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
            {
                errors.append(LineError(line: line, message: "more fields than the header has columns"))
                continue
            }
            var row = Row(header: header, fields: fields, line: line, decimalComma: decimalComma)
            let number = row.text(numberColumn)
            if number.isEmpty {
                errors.append(LineError(line: line, message: "meter_number is empty"))
                continue
            }
            if let first = seen[number] {
                errors.append(LineError(line: line, message: "meter \(number) is already on line \(first)"))
                continue
            }
            seen[number] = line
            let meter = row.meter(number: number, hashSender: hashSender)
            if row.problems.isEmpty, let meter { meters.append(meter) } else { errors += row.problems }
        }
        if !errors.isEmpty { throw ImportError(errors: errors) }
        return meters
    }

    /// One data line with typed access by column name, collecting problems as it goes.
    private struct Row {
        let header: [String]
        let fields: [String]
        let line: Int
        let decimalComma: Bool
        var problems: [LineError] = []

        init(header: [String], fields: [String], line: Int, decimalComma: Bool) {
            self.header = header
            self.fields = fields
            self.line = line
            self.decimalComma = decimalComma
        }

        func text(_ column: Int) -> String {
            column < fields.count ? fields[column].trimmingCharacters(in: .whitespaces) : ""
        }

        func value(_ name: String) -> String? {
            guard let column = header.firstIndex(of: name) else { return nil }
            let found = text(column)
            return found.isEmpty ? nil : found
        }

        mutating func problem(_ message: String) {
            problems.append(LineError(line: line, message: message))
        }

        mutating func count(_ name: String) -> Int? {
            guard let raw = value(name) else { return nil }
            guard let number = Int(raw), (1...14).contains(number) || (name == "fraction_digits" && number == 0)
            else {
                problem("\(name) '\(raw)' is not a digit count")
                return nil
            }
            return number
        }

        mutating func meter(number: String, hashSender: (String) -> String) -> Meter? {
            var medium: Medium?
            if let raw = value("medium") {
                medium = Self.medium(raw)
                if medium == nil { problem("medium '\(raw)' is not one of electricity, gas, water, heat") }
            }
            let integerDigits = count("integer_digits")
            let fractionDigits = count("fraction_digits")
            var maxPerDay: Double?
            if let raw = value("max_per_day") {
                maxPerDay = Double(decimalComma ? raw.replacingOccurrences(of: ",", with: ".") : raw)
                if maxPerDay.map({ !($0 > 0) || !$0.isFinite }) ?? true {
                    problem("max_per_day '\(raw)' is not a positive number")
                    maxPerDay = nil
                }
            }
            var reference: ConfirmedReading?
            switch (value("last_reading"), value("last_read_at")) {
            case (nil, nil): break
            case (.some, nil): problem("last_reading needs last_read_at (the date it was read)")
            case (nil, .some): problem("last_read_at is given without last_reading")
            case (.some(let rawValue), .some(let rawDate)):
                let readingValue = MeterValue(parsing: rawValue)
                let date = Self.date(rawDate)
                if readingValue == nil { problem("last_reading '\(rawValue)' is not a meter value") }
                if date == nil { problem("last_read_at '\(rawDate)' is not an ISO date (YYYY-MM-DD)") }
                if let readingValue, let date { reference = ConfirmedReading(value: readingValue, readAt: date) }
            }
            let senders = (value("senders") ?? "").split(whereSeparator: \.isWhitespace).map { hashSender(String($0)) }
            guard problems.isEmpty else { return nil }
            return Meter(
                number: number, medium: medium, unit: value("unit"), obis: value("obis"),
                integerDigits: integerDigits, fractionDigits: fractionDigits, maxPerDay: maxPerDay,
                senders: senders, reference: reference)
        }

        /// English names as in the issue, and the German ones utilities' exports use.
        static func medium(_ raw: String) -> Medium? {
            switch raw.lowercased() {
            case "electricity", "strom", "power": .electricity
            case "gas": .gas
            case "water", "wasser": .water
            case "heat", "wärme", "waerme": .heat
            default: nil
            }
        }

        static func date(_ raw: String) -> Date? {
            if let full = try? Date(raw, strategy: .iso8601) { return full }
            return try? Date(raw, strategy: Date.ISO8601FormatStyle().year().month().day())
        }
    }
}
