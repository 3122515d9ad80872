public import Foundation
import GRDB
import MeterReading

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
