public import Foundation
import GRDB
public import MeterReading

/// The embedded store: one SQLite file (WAL mode) in the state directory holding the registry,
/// history, results and the outbox, through GRDB.
public final class SQLiteStore: ReadingStore {
    /// File name of the database inside the state directory.
    public static let fileName = "meterscan.sqlite"

    /// Path of the database file.
    public let path: String
    let database: DatabaseQueue

    /// Opens (creating if needed) the store in `directory`, migrating an older schema and
    /// refusing a newer one. `busyTimeout` is how long to wait for another process's write.
    public init(directory: String, busyTimeout: TimeInterval = 10) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .readOnly(path: directory, detail: "cannot create the directory")
        }
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.journalMode = .wal
        configuration.foreignKeysEnabled = true
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            let migrator = Schema.migrator
            if try database.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError.newerSchema(path: path) }
            try migrator.migrate(database)
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Runs `body` in one IMMEDIATE transaction: the write lock is taken up front, so two
    /// processes deciding readings of one meter never interleave.
    func transaction<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Runs a read-only `body`.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.read { try body($0) }
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Maps SQLite's result codes to what a person can act on.
    static func storeError(_ error: any Error, path: String) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        guard let databaseError = error as? DatabaseError else {
            return .unavailable(detail: String(describing: error))
        }
        let detail = databaseError.message ?? "\(databaseError.resultCode)"
        switch databaseError.resultCode.primaryResultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(detail: detail)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .corrupt(path: path, detail: detail)
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return .readOnly(path: path, detail: detail)
        case .SQLITE_FULL: return .diskFull(path: path)
        default: return .unavailable(detail: detail)
        }
    }
}

// MARK: - Registry

extension SQLiteStore {
    /// Adds or updates meters, all or nothing. An imported last reading becomes the reference
    /// only when it is newer than the one the store already has.
    public func importMeters(_ meters: [Meter]) throws(StoreError) -> ImportSummary {
        try transaction { db in
            var summary = ImportSummary(added: 0, updated: 0)
            let now = Date()
            for meter in meters {
                let existing = try Self.meter(number: meter.number, db)
                try db.execute(
                    sql: """
                        INSERT INTO meters (number, medium, unit, obis, integer_digits, fraction_digits,
                            max_per_day, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (number) DO UPDATE SET medium = excluded.medium, unit = excluded.unit,
                            obis = excluded.obis, integer_digits = excluded.integer_digits,
                            fraction_digits = excluded.fraction_digits, max_per_day = excluded.max_per_day,
                            updated_at = excluded.updated_at
                        """,
                    arguments: [
                        meter.number, meter.medium?.rawValue, meter.unit, meter.obis, meter.integerDigits,
                        meter.fractionDigits, meter.maxPerDay, now,
                    ])
                try db.execute(sql: "DELETE FROM meter_senders WHERE meter_number = ?", arguments: [meter.number])
                for sender in Set(meter.senders) {
                    try db.execute(
                        sql: "INSERT INTO meter_senders (meter_number, sender_ref) VALUES (?, ?)",
                        arguments: [meter.number, sender])
                }
                if let reference = meter.reference,
                    existing?.reference.map({ $0.readAt < reference.readAt }) ?? true
                {
                    try Self.setReference(reference, meter: meter.number, db)
                }
                if existing == nil { summary.added += 1 } else { summary.updated += 1 }
            }
            return summary
        }
    }

    /// Every meter, ordered by number.
    public func meters() throws(StoreError) -> [Meter] {
        try read { db in
            let numbers = try String.fetchAll(db, sql: "SELECT number FROM meters ORDER BY number")
            return try numbers.compactMap { try Self.meter(number: $0, db) }
        }
    }

    /// One meter, or nil.
    public func meter(number: String) throws(StoreError) -> Meter? {
        try read { try Self.meter(number: number, $0) }
    }

    static func meter(number: String, _ db: Database) throws -> Meter? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM meters WHERE number = ?", arguments: [number])
        else { return nil }
        let senders = try String.fetchAll(
            db, sql: "SELECT sender_ref FROM meter_senders WHERE meter_number = ? ORDER BY sender_ref",
            arguments: [number])
        var reference: ConfirmedReading?
        if let text: String = row["reference_value"], let value = MeterValue(parsing: text),
            let readAt: Date = row["reference_read_at"]
        {
            reference = ConfirmedReading(value: value, readAt: readAt, readingID: row["reference_reading_id"])
        }
        return Meter(
            number: row["number"], medium: (row["medium"] as String?).flatMap(Medium.init(rawValue:)),
            unit: row["unit"], obis: row["obis"], integerDigits: row["integer_digits"],
            fractionDigits: row["fraction_digits"], maxPerDay: row["max_per_day"], senders: senders,
            reference: reference)
    }

    static func setReference(_ reference: ConfirmedReading, meter number: String, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE meters SET reference_value = ?, reference_read_at = ?, reference_reading_id = ?
                WHERE number = ?
                """,
            arguments: [reference.value.description, reference.readAt, reference.readingID, number])
    }
}
