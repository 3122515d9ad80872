import Foundation
import MeterImage

/// Expands command-line paths into the photo files to process, in a stable order.
///
/// A path named explicitly is always processed (so a broken file the user asked about gets an
/// error line). Inside a directory, walked recursively, a file is taken when its name ends in
/// .jpg/.jpeg/.png or its first bytes are JPEG or PNG, so a folder may also hold a manifest or
/// notes; hidden files and folders are skipped.
public struct InputFiles: Sendable {
    /// One file to process, or a path that could not be listed.
    public enum Entry: Sendable, Hashable {
        case file(String)
        case missing(String)
    }

    /// The paths as given on the command line.
    public let paths: [String]

    /// Wraps the paths; nothing is read until `entries()` is called.
    public init(paths: [String]) {
        self.paths = paths
    }

    /// The files to process: explicit files in argument order, each directory's photos sorted.
    public func entries() -> [Entry] {
        var result: [Entry] = []
        let fileManager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                result.append(.missing(path))
                continue
            }
            if !isDirectory.boolValue {
                result.append(.file(path))
                continue
            }
            result.append(contentsOf: Self.photos(inDirectory: path).map(Entry.file))
        }
        return result
    }

    private static let photoExtensions: Set<String> = ["jpg", "jpeg", "jpe", "png"]

    private static func photos(inDirectory directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
        else { return [] }
        var found: [String] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true
            else { continue }
            if photoExtensions.contains(url.pathExtension.lowercased()) || hasPhotoMagic(url) {
                found.append(relativePath(of: url, under: root, spelledAs: directory))
            }
        }
        return found.sorted()
    }

    /// Keeps the user's spelling of the directory in the reported path ("samples/photos/x.jpg").
    private static func relativePath(of url: URL, under root: URL, spelledAs directory: String)
        -> String
    {
        let rootPath = root.standardizedFileURL.path
        let filePath = url.standardizedFileURL.path
        guard filePath.hasPrefix(rootPath + "/") else { return filePath }
        let rest = filePath.dropFirst(rootPath.count + 1)
        return directory.hasSuffix("/") ? directory + rest : directory + "/" + rest
    }

    private static func hasPhotoMagic(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 8) else { return false }
        return ImageFormat(magic: head) != nil
    }
}
