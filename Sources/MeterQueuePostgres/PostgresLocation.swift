import Foundation
import PostgresNIO

/// Where the PostgreSQL store lives, parsed from a `postgres://user:password@host:port/database`
/// URL (as `--store` or `METERSCAN_DATABASE_URL` give it). Query parameters: `sslmode`
/// (`disable`, the default, `prefer` or `require`), `host` (a Unix socket directory, as libpq
/// takes it) and `pool` (most connections this process opens, default 8).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// User name (default: `postgres`).
    public var user: String
    /// Password, if the URL has one (never printed).
    public var password: String?
    /// Host name or address; nil when `socketDirectory` is used.
    public var host: String?
    /// Server port.
    public var port: Int
    /// Directory holding the server's Unix socket (`?host=/run/postgresql`).
    public var socketDirectory: String?
    /// Database name (default: the user name).
    public var database: String
    /// `disable`, `prefer` or `require`.
    public var sslMode: String
    /// Most connections one process keeps open.
    public var poolSize: Int

    /// Whether `text` names a PostgreSQL database rather than a directory.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a URL, or says what is wrong with it.
    public init(url text: String) throws(PostgresLocationError) {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw PostgresLocationError(url: text, problem: "expected postgres://user[:password]@host[:port]/database")
        }
        user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        port = components.port ?? 5432
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = socketDirectory == nil ? (components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost") : nil
        sslMode = query["sslmode"] ?? "disable"
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw PostgresLocationError(url: text, problem: "sslmode must be disable, prefer or require")
        }
        if let size = query["pool"] {
            guard let value = Int(size), value > 0 else {
                throw PostgresLocationError(url: text, problem: "pool must be a positive number")
            }
            poolSize = value
        } else {
            poolSize = 8
        }
    }

    /// The URL without its password, for messages.
    public var description: String {
        let place = socketDirectory.map { "[\($0)]" } ?? "\(host ?? "localhost"):\(port)"
        return "postgres://\(user)@\(place)/\(database)"
    }

    /// The driver's configuration for one connection.
    func configuration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketDirectory {
            let socket = (socketDirectory as NSString).appendingPathComponent(".s.PGSQL.\(port)")
            configuration = .init(unixSocketPath: socket, username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch sslMode {
            case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case "prefer": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: tls = .disable
            }
            configuration = .init(
                host: host ?? "localhost", port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}

/// A `--store` URL that cannot be used.
public struct PostgresLocationError: Error, Sendable, CustomStringConvertible {
    /// The URL as given.
    public var url: String
    /// What is wrong with it.
    public var problem: String

    /// One line for the person who typed it (the password is not repeated).
    public var description: String {
        guard var components = URLComponents(string: url) else { return "the database URL: \(problem)" }
        components.password = nil
        return "\(components.string ?? "the database URL"): \(problem)"
    }
}
