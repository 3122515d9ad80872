import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue

/// `--state DIR` for the commands that need the state directory.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: "State directory (database, secret, audit crops).")
    var directory: String = MeterState.defaultDirectory

    /// Opens it, or exits with its error's message and code.
    func open() throws -> MeterState { try openState(directory) }
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
