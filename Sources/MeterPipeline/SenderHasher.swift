import Crypto
import Foundation
public import MeterQueue

/// Replaces a sender's phone number or messenger id by a keyed hash (HMAC-SHA256) at intake,
/// so no number is ever stored, logged or printed; the same sender always maps to the same
/// reference, and without the secret a reference cannot be turned back into a number.
public struct SenderHasher: Sendable {
    private let secret: [UInt8]

    /// A hasher keyed with `secret` (at least 16 bytes).
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The keyed hash of `sender` (hex), after normalising phone numbers so "+49 170 123",
    /// "0049170123" and WhatsApp's "49170123" give the same reference.
    public func reference(for sender: String) -> String {
        let normalized = Self.normalize(sender)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: SymmetricKey(data: secret))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Names the key without revealing it: the store keeps this, so a host with another key
    /// (whose hashes would never match the registry) is refused.
    public var fingerprint: String {
        String(reference(for: "meterscan sender key fingerprint").prefix(16))
    }

    /// Phone numbers to "+digits"; anything else (UUIDs, user names) trimmed and lowercased.
    static func normalize(_ sender: String) -> String {
        let trimmed = sender.trimmingCharacters(in: .whitespacesAndNewlines)
        let phoneCharacters = Set("+0123456789 -()/.")
        guard !trimmed.isEmpty, trimmed.allSatisfy(phoneCharacters.contains) else { return trimmed.lowercased() }
        var digits = trimmed.filter(\.isNumber)
        // International numbers: "+49…", "0049…" and WhatsApp's bare "49…". A national "0…"
        // number cannot be completed without knowing the country, so it stays as it is.
        if trimmed.hasPrefix("+") { return "+" + digits }
        if digits.hasPrefix("00") {
            digits.removeFirst(2)
            return "+" + digits
        }
        if digits.hasPrefix("0") { return digits }
        return digits.count >= 8 ? "+" + digits : digits
    }
}

extension SenderHasher {
    /// Environment variable that holds the secret (any string of at least 16 characters).
    public static let environmentVariable = "METERSCAN_SECRET"
    /// File in the state directory holding the secret when the environment has none.
    public static let secretFileName = "secret.key"

    /// The hasher for a state directory: the secret from `METERSCAN_SECRET`, else from
    /// `secret.key` in `directory`, created on first use with 32 random bytes and mode 0600.
    public static func forState(directory: String, environment: [String: String]? = nil)
        throws(StateError) -> SenderHasher
    {
        if let secret = (environment ?? ProcessInfo.processInfo.environment)[environmentVariable] {
            guard secret.utf8.count >= 16 else {
                throw .badSecret("\(environmentVariable) must be at least 16 characters long")
            }
            return SenderHasher(secret: Array(secret.utf8))
        }
        let path = (directory as NSString).appendingPathComponent(secretFileName)
        if let existing = FileManager.default.contents(atPath: path) {
            guard existing.count >= 16 else { throw .badSecret("\(path) is shorter than 16 bytes") }
            return SenderHasher(secret: Array(existing))
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // Written whole to a private file, then linked into place: link() fails if another
        // process got there first, and then both use that process's secret.
        let temporary = path + ".\(getpid()).\(UInt32.random(in: .min ... .max, using: &generator))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw .notWritable(path: path, detail: String(cString: strerror(errno))) }
        defer { unlink(temporary) }
        let written = secret.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == secret.count, synced else {
            throw .notWritable(path: path, detail: String(cString: strerror(errno)))
        }
        if link(temporary, path) != 0 {
            guard errno == EEXIST, let winner = FileManager.default.contents(atPath: path), winner.count >= 16 else {
                throw .notWritable(path: path, detail: String(cString: strerror(errno)))
            }
            return SenderHasher(secret: Array(winner))
        }
        return SenderHasher(secret: secret)
    }
}

/// Why the state directory cannot be used.
public enum StateError: Error, Sendable, CustomStringConvertible {
    /// The database cannot be opened or written.
    case store(StoreError)
    /// The sender-hash secret is unusable.
    case badSecret(String)
    /// A file in the state directory cannot be written.
    case notWritable(path: String, detail: String)

    /// A one-line message.
    public var description: String {
        switch self {
        case .store(let error): error.description
        case .badSecret(let message): message
        case .notWritable(let path, let detail): "cannot write \(path): \(detail)"
        }
    }

    /// Exit code: 75 when trying again may help (a busy database), else 2.
    public var exitCode: Int32 {
        if case .store(let error) = self { return error.exitCode }
        return 2
    }
}
