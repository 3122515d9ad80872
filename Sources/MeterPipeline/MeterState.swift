import Foundation
public import MeterQueue

/// The state directory (default `./meterscan-data`): the store, the sender-hash secret and the
/// audit crops a clerk looks at.
public struct MeterState: Sendable {
    /// Where the state lives when `--state` is not given.
    public static let defaultDirectory = "meterscan-data"

    /// The directory.
    public let directory: String
    /// Registry, history, results and outbox.
    public let store: SQLiteStore
    /// Turns senders into keyed hashes.
    public let senders: SenderHasher

    /// Opens (creating if needed) the state in `directory`.
    public init(directory: String) throws(StateError) {
        self.directory = directory
        do {
            store = try SQLiteStore(directory: directory)
        } catch {
            throw .store(error)
        }
        senders = try SenderHasher.forState(directory: directory)
    }

    /// Folder of the counter crops kept as evidence.
    public var auditDirectory: String { (directory as NSString).appendingPathComponent("audit") }

    /// Saves a counter crop under its photo's content hash (written whole, then renamed, so a
    /// crash never leaves half a picture) and returns its path.
    public func saveAuditCrop(_ png: [UInt8], imageSHA256: String) throws(StateError) -> String {
        let folder = (auditDirectory as NSString).appendingPathComponent(String(imageSHA256.prefix(2)))
        let path = (folder as NSString).appendingPathComponent(imageSHA256 + ".png")
        if FileManager.default.fileExists(atPath: path) { return path }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(png).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .notWritable(path: path, detail: (error as NSError).localizedDescription)
        }
        return path
    }
}
