import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue
import MeterReading

/// `meterscan review`: what a clerk decides — the readings MeterScan could not.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "List and decide the readings waiting for a clerk.",
        subcommands: [List.self, Show.self, Accept.self, Correct.self, Reject.self]
    )

    /// `review list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Readings waiting for a clerk, oldest first.")

        @OptionGroup var state: StateOptions

        @Option(help: "text or jsonl.")
        var format: OutputFormat = .text

        func run() throws {
            let meterState = try state.open()
            let open = try withStore { () throws(StoreError) in try meterState.store.openReviews() }
            switch format {
            case .jsonl:
                let output = LineWriter()
                for record in open { output.write(try output.json(record)) }
            case .text:
                var rows = [["reading", "received", "meter", "value", "conf", "reasons"]]
                for record in open {
                    rows.append([
                        record.readingID, isoTimestamp(record.receivedAt), record.meterNumber ?? "?", record.value ?? "-",
                        String(format: "%.2f", record.confidence),
                        record.reasons.map(\.code.rawValue).joined(separator: ","),
                    ])
                }
                print(table(rows))
                print("\(open.count) reading(s) waiting")
            }
        }
    }

    /// `review show ID`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One reading with its evidence and audit crop.")

        @OptionGroup var state: StateOptions

        @Argument(help: "Reading id (a unique prefix is enough).")
        var id: String

        func run() throws {
            let meterState = try state.open()
            let found = try withStore { () throws(StoreError) in try meterState.store.reading(id: id) }
            guard let record = found else {
                printError("meterscan: no reading \(id)")
                throw ExitCode(1)
            }
            print("reading    \(record.readingID)")
            print("status     \(record.status.rawValue)\(record.reviewState.map { " (review: \($0))" } ?? "")")
            print("meter      \(record.meterNumber ?? "unknown")")
            print("value      \(record.value ?? "-")   confidence \(String(format: "%.3f", record.confidence))")
            print("received   \(isoTimestamp(record.receivedAt))   decided \(isoTimestamp(record.decidedAt))")
            if let channel = record.channel { print("channel    \(channel)   message \(record.messageID ?? "-")") }
            if let source = record.source { print("photo      \(source)") }
            print("sha256     \(record.imageSHA256)")
            let crop = try record.auditPath.map { reference throws in
                do throws(StateError) {
                    return try meterState.auditCropFile(reference) ?? reference
                } catch {
                    printError("meterscan: \(error)")
                    throw ExitCode(error.exitCode)
                }
            }
            print("audit crop \(crop ?? "none (no counter was found)")")
            for reason in record.reasons { print("reason     \(reason.code.rawValue): \(reason.message)") }
            if let digits = try? JSONDecoder().decode([ReadResult.Digit].self, from: Data(record.evidenceJSON.utf8)),
                !digits.isEmpty
            {
                let described = digits.map { digit in
                    let alternatives = digit.alternatives.prefix(2).map { "\($0.text) \(String(format: "%.2f", $0.confidence))" }
                    let mark = (digit.fraction ? "," : "") + (digit.rolling ? "~" : "")
                    return "\(digit.text.isEmpty ? "?" : digit.text)\(mark) \(String(format: "%.2f", digit.confidence))"
                        + (alternatives.isEmpty ? "" : " (\(alternatives.joined(separator: ", ")))")
                }
                print("digits     " + described.joined(separator: " | "))
            }
        }
    }

    /// Options shared by the deciding subcommands.
    struct Decision: ParsableArguments {
        @OptionGroup var state: StateOptions

        @Argument(help: "Reading id (a unique prefix is enough).")
        var id: String

        @Option(help: "Tie the reading to this registered meter (for photos of an unknown meter).")
        var meter: String?

        func apply(_ action: ClerkAction) throws {
            let meterState = try state.open()
            let record = try withStore { () throws(StoreError) in
                try meterState.store.resolve(id: id, action: action, meterNumber: meter, at: Date())
            }
            let queued = record.status == .accepted ? ", queued for billing" : ""
            print("reading \(record.readingID): \(record.reviewState ?? record.status.rawValue) \(record.value ?? "")\(queued)")
        }
    }

    /// `review accept ID`.
    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The value read is right: queue it and make it the meter's reference.")
        @OptionGroup var decision: Decision
        func run() throws { try decision.apply(.accept) }
    }

    /// `review correct ID VALUE`.
    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the right value instead: queue it and make it the meter's reference.")
        @OptionGroup var decision: Decision

        @Argument(help: "The right value, e.g. 1189.27 or 1189,27.")
        var value: String

        func run() throws {
            guard let parsed = MeterValue(parsing: value) else {
                throw ValidationError("'\(value)' is not a meter value (digits, optionally with . or , and fraction digits)")
            }
            try decision.apply(.correct(parsed))
        }
    }

    /// `review reject ID`.
    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The photo cannot be used: nothing is queued.")
        @OptionGroup var decision: Decision
        func run() throws { try decision.apply(.reject) }
    }
}
