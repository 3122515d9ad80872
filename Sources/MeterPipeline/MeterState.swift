import Foundation
public import MeterQueue

/// The state directory (default `./meterscan-data`): the store, the sender-hash secret and the
/// audit crops a clerk looks at. The store is the SQLite file in the directory unless another
/// one (PostgreSQL, shared by several hosts) is given; such a store keeps the crops itself.
public struct MeterState: Sendable {
    /// Where the state lives when `--state` is not given.
    public static let defaultDirectory = "meterscan-data"

    /// The directory.
    public let directory: String
    /// Registry, history, results and outbox.
    public let store: any ReadingStore
    /// Turns senders into keyed hashes.
    public let senders: SenderHasher

    /// Opens (creating if needed) the state in `directory`, with `store` or else the SQLite
    /// store inside the directory. Refuses a sender key other than the one the store knows.
    public init(directory: String, store: (any ReadingStore)? = nil) throws(StateError) {
        self.directory = directory
        if let store {
            // The key file and crops fetched for review still live here.
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .store(.readOnly(path: directory, detail: "cannot create the directory"))
            }
            self.store = store
        } else {
            do {
                self.store = try SQLiteStore(directory: directory)
            } catch {
                throw .store(error)
            }
        }
        senders = try SenderHasher.forState(directory: directory)
        do {
            try self.store.adoptSenderKey(fingerprint: senders.fingerprint)
        } catch {
            throw .store(error)
        }
    }

    /// Folder of the counter crops kept as evidence.
    public var auditDirectory: String { (directory as NSString).appendingPathComponent("audit") }

    /// Where a counter crop is kept: for a store that keeps crops, the reference to record
    /// and the bytes to hand to `decide`; else the path of a file written now (whole, then
    /// renamed, so a crash never leaves half a picture) and no bytes.
    public func keepAuditCrop(_ png: [UInt8], imageSHA256: String) throws(StateError) -> (
        reference: String, bytesForStore: [UInt8]?
    ) {
        if store.keepsAuditCrops { return (storedCropPrefix + imageSHA256, png) }
        return (try writeAuditFile(png, imageSHA256: imageSHA256), nil)
    }

    /// A file a clerk can open for an audit reference: the path itself, or for a crop kept in
    /// the store, a copy fetched into this host's audit folder.
    public func auditCropFile(_ reference: String) throws(StateError) -> String? {
        let png: [UInt8]?
        do {
            png = try store.auditCrop(reference)
        } catch {
            throw .store(error)
        }
        guard let png else { return reference }
        return try writeAuditFile(png, imageSHA256: String(reference.dropFirst(storedCropPrefix.count)))
    }

    private func writeAuditFile(_ png: [UInt8], imageSHA256: String) throws(StateError) -> String {
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
