import Foundation

/// The PostgreSQL server the tests may use, and throwaway databases on it.
enum TestPostgres {
    /// `METERSCAN_TEST_POSTGRES_URL`, when set (by `scripts/with-postgres.sh`).
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["METERSCAN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Creates an empty database and returns its URL.
    static func freshDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try psql("CREATE DATABASE \(name)")
        guard let server = serverURL, var components = URLComponents(string: server) else {
            throw TestPostgresError.noServer
        }
        components.path = "/\(name)"
        return components.string!
    }

    /// Runs one SQL command with psql against `url` (default: the server's own database).
    static func psql(_ sql: String, url: String? = nil) throws {
        guard let target = url ?? serverURL else { throw TestPostgresError.noServer }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-q", "-v", "ON_ERROR_STOP=1", target, "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestPostgresError.psqlFailed(sql) }
    }
}

enum TestPostgresError: Error {
    case noServer
    case psqlFailed(String)
}
