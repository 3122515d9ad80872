import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue
import MeterReading

/// `meterscan meters`: the registry of meters the utility knows.
struct MetersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meters",
        abstract: "Import and inspect the meter registry.",
        subcommands: [Import.self, List.self, Show.self]
    )

    /// `meters import FILE.csv`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or update meters from a CSV file (all lines or none).",
            discussion: """
                `;` or `,` separated, with a header row naming the columns: meter_number \
                (required), medium (electricity, gas, water, heat), unit, obis, integer_digits, \
                fraction_digits, max_per_day, last_reading, last_read_at (ISO date), senders \
                (space-separated phone numbers or messenger ids; stored only as keyed hashes). \
                Other columns are ignored. With `;` a decimal comma is accepted.
                """
        )

        @OptionGroup var state: StateOptions

        @Argument(help: "The CSV file.")
        var file: String

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("meterscan: cannot read \(file)")
                throw ExitCode(2)
            }
            guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
                printError("meterscan: \(file) is not text")
                throw ExitCode(1)
            }
            let meterState = try state.open()
            let meters: [Meter]
            do {
                meters = try RegistryCSV.parse(text) { meterState.senders.reference(for: $0) }
            } catch {
                for problem in error.errors { printError("\(file): \(problem)") }
                printError("meterscan: nothing imported (\(error.errors.count) problem(s))")
                throw ExitCode(1)
            }
            let summary = try withStore { () throws(StoreError) in try meterState.store.importMeters(meters) }
            print("imported \(meters.count) meters: \(summary.added) new, \(summary.updated) updated")
        }
    }

    /// `meters list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered meters.")

        @OptionGroup var state: StateOptions

        @Option(help: "text or jsonl.")
        var format: OutputFormat = .text

        func run() throws {
            let meterState = try state.open()
            let meters = try withStore { () throws(StoreError) in try meterState.store.meters() }
            switch format {
            case .jsonl:
                let output = LineWriter()
                for meter in meters { output.write(try output.json(MeterListing(meter))) }
            case .text:
                var rows = [["meter", "medium", "unit", "obis", "digits", "max/day", "reference", "read at", "senders"]]
                for meter in meters {
                    rows.append([
                        meter.number, meter.medium?.rawValue ?? "-", meter.unit ?? "-", meter.obis ?? "-",
                        MeterListing.layout(meter), meter.maxPerDay.map { String($0) } ?? "-",
                        meter.reference?.value.description ?? "-",
                        meter.reference.map { isoTimestamp($0.readAt) } ?? "-", String(meter.senders.count),
                    ])
                }
                print(table(rows))
                print("\(meters.count) meter(s)")
            }
        }
    }

    /// `meters show N`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one meter and its latest readings.")

        @OptionGroup var state: StateOptions

        @Argument(help: "Meter number.")
        var number: String

        @Option(help: "How many recent readings to show.")
        var last: Int = 10

        func run() throws {
            let meterState = try state.open()
            let found = try withStore { () throws(StoreError) in try meterState.store.meter(number: number) }
            guard let meter = found else {
                printError("meterscan: no meter \(number) in the registry")
                throw ExitCode(1)
            }
            let readings = try withStore { () throws(StoreError) in
                try meterState.store.readings(ofMeter: number, limit: max(0, last))
            }
            print("meter      \(meter.number)")
            print("medium     \(meter.medium?.rawValue ?? "-")   unit \(meter.unit ?? "-")   obis \(meter.obis ?? "-")")
            print("digits     \(MeterListing.layout(meter))   max per day \(meter.maxPerDay.map { String($0) } ?? "-")")
            print("senders    \(meter.senders.count) registered")
            if let reference = meter.reference {
                print("reference  \(reference.value) at \(isoTimestamp(reference.readAt)) (\(reference.readingID ?? "imported"))")
            } else {
                print("reference  none yet")
            }
            guard !readings.isEmpty else { return }
            print("")
            var rows = [["reading", "received", "status", "value", "reasons"]]
            for reading in readings {
                rows.append([
                    reading.readingID, isoTimestamp(reading.receivedAt),
                    reading.status.rawValue + (reading.reviewState.map { " (\($0))" } ?? ""),
                    reading.value ?? "-", reading.reasons.map(\.code.rawValue).joined(separator: ","),
                ])
            }
            print(table(rows))
        }
    }
}

/// Output format of the listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
}

/// A meter as `meters list --format jsonl` prints it.
struct MeterListing: Encodable {
    let meter_number: String
    let medium: String?
    let unit: String?
    let obis: String?
    let integer_digits: Int?
    let fraction_digits: Int?
    let max_per_day: Double?
    let reference_value: String?
    let reference_read_at: String?
    let senders: Int

    init(_ meter: Meter) {
        meter_number = meter.number
        medium = meter.medium?.rawValue
        unit = meter.unit
        obis = meter.obis
        integer_digits = meter.integerDigits
        fraction_digits = meter.fractionDigits
        max_per_day = meter.maxPerDay
        reference_value = meter.reference?.value.description
        reference_read_at = meter.reference.map { isoTimestamp($0.readAt) }
        senders = meter.senders.count
    }

    /// "5+3" for five integer and three fraction digits.
    static func layout(_ meter: Meter) -> String {
        "\(meter.integerDigits.map(String.init) ?? "?")+\(meter.fractionDigits.map(String.init) ?? "?")"
    }
}

/// Left-aligned columns separated by two spaces.
func table(_ rows: [[String]]) -> String {
    guard let columns = rows.map(\.count).max() else { return "" }
    let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}
