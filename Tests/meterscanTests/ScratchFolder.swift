import Foundation

/// A scratch folder for one test, with a `state` directory path inside; removed afterwards.
final class ScratchFolder {
    let path = NSTemporaryDirectory() + "meterscan-cli-\(UUID().uuidString)"
    var state: String { path + "/state" }

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to the file `name` and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Creates the folder `name` and returns its path.
    func make(_ name: String) throws -> String {
        let folder = path + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Every byte under the folder, for privacy checks (the database included).
    func allBytes() throws -> Data {
        var all = Data()
        let walker = FileManager.default.enumerator(atPath: path)
        while let name = walker?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: path + "/" + name) { all.append(data) }
        }
        return all
    }
}
