import Foundation
import Testing
import MeterPipeline

@Suite("Finding photos and reading files")
struct InputFilesTests {
    /// A scratch folder removed when the test ends.
    final class ScratchDirectory {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory
                .appendingPathComponent("meterscan-test-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func write(_ name: String, _ bytes: [UInt8]) throws {
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
    }

    static let jpegMagic: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0]
    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    @Test func directoriesYieldPhotosByNameOrContent() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("b.jpg", Self.jpegMagic)
        try scratch.write("a/c.PNG", Self.pngMagic)
        try scratch.write("a/no-extension", Self.pngMagic)
        try scratch.write("a/broken.jpeg", Array("not a photo".utf8))
        try scratch.write("manifest.csv", Array("file,reading\n".utf8))
        try scratch.write(".hidden.jpg", Self.jpegMagic)
        try scratch.write(".cache/d.jpg", Self.jpegMagic)
        let entries = InputFiles(paths: [scratch.path]).entries()
        #expect(
            entries == [
                .file(scratch.path + "/a/broken.jpeg"), .file(scratch.path + "/a/c.PNG"),
                .file(scratch.path + "/a/no-extension"), .file(scratch.path + "/b.jpg"),
            ])
    }

    @Test func explicitFilesAndMissingPathsKeepTheirOrder() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("notes.txt", Array("hello".utf8))
        let notes = scratch.path + "/notes.txt"
        let missing = scratch.path + "/nope.jpg"
        #expect(InputFiles(paths: [missing, notes]).entries() == [.missing(missing), .file(notes)])
    }

    @Test func oversizedFilesAreRefusedBeforeReading() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("big.jpg", [UInt8](repeating: 0xFF, count: 5000))
        #expect {
            _ = try readPhotoFile(atPath: scratch.path + "/big.jpg", maxBytes: 4096)
        } throws: { error in
            (error as? InputError)?.code == "file_too_large"
        }
        #expect(try readPhotoFile(atPath: scratch.path + "/big.jpg", maxBytes: 5000).count == 5000)
    }

    @Test func unreadableAndMissingFilesSaySo() throws {
        let scratch = try ScratchDirectory()
        #expect {
            _ = try readPhotoFile(atPath: scratch.path + "/missing.jpg", maxBytes: 100)
        } throws: { error in
            (error as? InputError)?.code == "not_found"
        }
        #expect {
            _ = try readPhotoFile(atPath: scratch.path, maxBytes: 100)
        } throws: { error in
            (error as? InputError)?.code == "unreadable"
        }
    }
}
