import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue

/// `meterscan purge`: deletes evidence pictures past the retention period.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete stored audit crops older than the retention period.",
        discussion: """
            MeterScan keeps no original photos; it keeps the straightened counter of each photo \
            (audit/ in the state directory) for the clerk. A crop is deleted once every reading \
            that uses it was received longer ago than --older-than. Readings and their digits \
            stay; `review show` then says the crop is gone.
            """
    )

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("older-than"), help: "Retention, e.g. 30d, 12h or 90m.")
    var olderThan: String

    @Flag(name: .customLong("dry-run"), help: "Only say what would be deleted.")
    var dryRun = false

    func validate() throws {
        if Self.seconds(olderThan) == nil {
            throw ValidationError("--older-than must be a number followed by d, h or m (e.g. 30d), got '\(olderThan)'")
        }
    }

    func run() throws {
        let meterState = try state.open()
        let cutoff = Date().addingTimeInterval(-(Self.seconds(olderThan) ?? 0))
        let expired = try withStore { () throws(StoreError) in try meterState.store.expiredAuditCrops(before: cutoff) }
        let audit = (meterState.auditDirectory as NSString).standardizingPath
        var deleted: [String] = []
        for path in expired {
            // Crops kept in the store go when the store forgets them.
            if path.hasPrefix(storedCropPrefix) {
                deleted.append(path)
                continue
            }
            // Only files inside our own audit folder are ever deleted.
            guard (path as NSString).standardizingPath.hasPrefix(audit + "/") else { continue }
            if dryRun {
                deleted.append(path)
                continue
            }
            do {
                try FileManager.default.removeItem(atPath: path)
                deleted.append(path)
            } catch CocoaError.fileNoSuchFile {
                deleted.append(path)
            } catch {
                printError("meterscan: cannot delete \(path): \(error.localizedDescription)")
            }
        }
        if !dryRun {
            try withStore { () throws(StoreError) in try meterState.store.forgetAuditCrops(deleted) }
        }
        print("\(dryRun ? "would delete" : "deleted") \(deleted.count) audit crop(s) older than \(olderThan)")
    }

    /// "30d" → seconds.
    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 else { return nil }
        switch unit {
        case "d": return amount * 86_400
        case "h": return amount * 3_600
        case "m": return amount * 60
        default: return nil
        }
    }
}
