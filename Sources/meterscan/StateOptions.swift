import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue
import MeterQueuePostgres

/// `--state DIR` and `--store URL` for the commands that need the state.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: "State directory (database, secret, audit crops).")
    var directory: String = MeterState.defaultDirectory

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Shared PostgreSQL store, postgres://user[:password]@host[:port]/database (default: $\(storeVariable), else SQLite in the state directory).",
            valueName: "url"))
    var storeURL: String?

    /// Opens it, or exits with its error's message and code.
    func open() throws -> MeterState { try openState(directory, storeURL: storeURL) }
}

/// Environment variable naming the shared store when `--store` is not given.
let storeVariable = "METERSCAN_DATABASE_URL"

/// Opens the state directory with the store `storeURL` (or `$METERSCAN_DATABASE_URL`) names,
/// else the SQLite store inside it, or exits with the error's code and message.
func openState(_ directory: String, storeURL: String? = nil) throws -> MeterState {
    let url = storeURL ?? ProcessInfo.processInfo.environment[storeVariable].flatMap { $0.isEmpty ? nil : $0 }
    do {
        let store: (any ReadingStore)? = try url.map { text throws -> any ReadingStore in
            do {
                return try PostgresStore(location: PostgresLocation(url: text))
            } catch let error as PostgresLocationError {
                printError("meterscan: \(error.description)")
                throw ExitCode(2)
            }
        }
        return try MeterState(directory: directory, store: store)
    } catch let error as StateError {
        printError("meterscan: \(error)")
        throw ExitCode(error.exitCode)
    } catch let error as StoreError {
        printError("meterscan: \(error)")
        throw ExitCode(error.exitCode)
    }
}

/// Writes a line to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs a store operation; a store error becomes its message and exit code.
func withStore<T>(_ body: () throws(StoreError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("meterscan: \(error.description)")
        throw ExitCode(error.exitCode)
    }
}
