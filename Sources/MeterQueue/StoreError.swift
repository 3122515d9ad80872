/// Why the store could not do what was asked. Each case says what a person can do about it.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The database was written by a newer MeterScan: refusing to touch it.
    case newerSchema(path: String)
    /// The file is not a MeterScan database, or is damaged.
    case corrupt(path: String, detail: String)
    /// The state directory or database cannot be written.
    case readOnly(path: String, detail: String)
    /// The disk is full.
    case diskFull(path: String)
    /// Another process holds the database for longer than the busy timeout: try again.
    case busy(detail: String)
    /// The store cannot be opened or reached for another reason.
    case unavailable(detail: String)
    /// A request the store refuses (unknown id, wrong state, bad value).
    case invalid(String)
    /// This host hashes senders with another key than the one the store was set up with.
    case senderKeyMismatch(store: String)

    /// A one-line message saying what happened and what to do.
    public var description: String {
        switch self {
        case .newerSchema(let path):
            "\(path) was written by a newer MeterScan; upgrade meterscan (nothing was changed)"
        case .corrupt(let path, let detail):
            "\(path) is not a readable MeterScan database (\(detail)); restore it from a backup or move it away"
        case .readOnly(let path, let detail):
            "cannot write the state in \(path) (\(detail)); check permissions or choose another --state"
        case .diskFull(let path): "the disk holding \(path) is full; free space and run again"
        case .busy(let detail): "the database is busy (\(detail)); try again"
        case .unavailable(let detail): "the store is unavailable: \(detail)"
        case .invalid(let message): message
        case .senderKeyMismatch(let store):
            "the sender key here differs from the one \(store) was set up with; give every host the same METERSCAN_SECRET (or secret.key), or sender hashes will not match the registry"
        }
    }

    /// The process exit code DESIGN.md assigns: 75 for "try again", 2 for fatal.
    public var exitCode: Int32 {
        switch self {
        case .busy: 75
        case .invalid: 1
        default: 2
        }
    }
}
