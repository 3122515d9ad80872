import Foundation
import Logging
import MeterQueue
import PostgresNIO

/// A pool of PostgreSQL connections for callers on ordinary threads. MeterScan's workers are
/// threads that decide one photo at a time synchronously (as with SQLite); they wait on the
/// driver's event-loop futures, which needs no Swift-concurrency executor. (The driver's
/// `PostgresClient` pool is async-only: bridging each query of a worker thread through the
/// cooperative pool, which has one thread per core here, can starve it.)
final class BlockingConnectionPool: @unchecked Sendable {
    // @unchecked: every stored property below `condition` is read and written only while
    // holding it.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 0
    private var closed = false

    let location: PostgresLocation
    let configuration: PostgresConnection.Configuration
    let logger: Logger

    /// A pool for `location`; connections open on first use.
    init(location: PostgresLocation, logger: Logger) throws {
        self.location = location
        self.configuration = try location.configuration()
        self.logger = logger
    }

    /// Runs `body` with a connection of its own. A connection that failed mid-use is closed
    /// instead of going back to the pool.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try lease()
        do {
            let result = try body(connection)
            giveBack(connection, healthy: true)
            return result
        } catch {
            giveBack(connection, healthy: !connection.isClosed)
            throw error
        }
    }

    /// A connection outside the pool (for LISTEN, which holds one for good).
    func dedicatedConnection() throws -> PostgresConnection {
        let id = condition.withLock {
            nextID += 1
            return nextID
        }
        return try PostgresConnection.connect(
            on: PostgresConnection.defaultEventLoopGroup.next(), configuration: configuration, id: id, logger: logger
        ).wait()
    }

    /// Closes every idle connection; later leases fail.
    func shutdown() {
        let connections = condition.withLock {
            closed = true
            defer { idle.removeAll() }
            condition.broadcast()
            return idle
        }
        for connection in connections { try? connection.close().wait() }
    }

    private func lease() throws -> PostgresConnection {
        condition.lock()
        while !closed && idle.isEmpty && open >= location.poolSize { condition.wait() }
        if closed {
            condition.unlock()
            throw StoreError.unavailable(detail: "the PostgreSQL store was closed")
        }
        if let connection = idle.popLast() {
            condition.unlock()
            return connection
        }
        open += 1
        nextID += 1
        let id = nextID
        condition.unlock()
        do {
            return try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.next(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            condition.withLock {
                open -= 1
                condition.signal()
            }
            throw error
        }
    }

    private func giveBack(_ connection: PostgresConnection, healthy: Bool) {
        let keep = condition.withLock {
            defer { condition.signal() }
            guard healthy && !closed else {
                open -= 1
                return false
            }
            idle.append(connection)
            return true
        }
        if !keep { try? connection.close().wait() }
    }
}
