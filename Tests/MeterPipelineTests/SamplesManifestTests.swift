import Foundation
import Testing
import MeterImage
import MeterPipeline

/// The committed samples: every photo listed exists and decodes to the size the manifest says,
/// and every label is well-formed. Checks the data, not the generator.
@Suite("samples/manifest.csv")
struct SamplesManifestTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")
    static let manifestPath = samples.appendingPathComponent("manifest.csv").path

    struct Row: Sendable, CustomStringConvertible {
        let fields: [String: String]
        var description: String { fields["file"] ?? "?" }
        subscript(_ name: String) -> String { fields[name] ?? "" }
    }

    static let rows: [Row] = {
        guard let data = FileManager.default.contents(atPath: manifestPath) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        else { return [] }
        return lines.dropFirst().map { line in
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Row(fields: Dictionary(uniqueKeysWithValues: zip(header, values)))
        }
    }()

    @Test func manifestHasTheRequiredColumnsAndEnoughPhotos() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.manifestPath))
        let header = String(decoding: data, as: UTF8.self).prefix { $0 != "\n" }.split(separator: ",").map(String.init)
        for column in ["file", "reading", "integer", "fraction", "meter_type", "style", "tags", "split"] {
            #expect(header.contains(column), "missing column \(column)")
        }
        #expect(Self.rows.count >= 200)
        #expect(Set(Self.rows.map(\.description)).count == Self.rows.count, "duplicate file names")
        let splits = Dictionary(grouping: Self.rows, by: { $0["split"] }).mapValues(\.count)
        #expect((splits["dev"] ?? 0) > 0 && (splits["test"] ?? 0) > 0)
        #expect(Self.rows.filter { $0["reading"] == "UNREADABLE" }.count >= 5)
        #expect(Self.rows.filter { $0["tags"].split(separator: " ").contains("rolling") }.count >= 10)
    }

    @Test("labels are well-formed", arguments: rows)
    func labelIsWellFormed(_ row: Row) {
        let reading = row["reading"]
        #expect(["dev", "test"].contains(row["split"]))
        #expect(["drum", "lcd", "printed", "none"].contains(row["style"]))
        if reading == "UNREADABLE" {
            #expect(row["integer"].isEmpty && row["fraction"].isEmpty)
            #expect(!row["reason"].isEmpty, "unreadable without a reason")
            return
        }
        let integer = row["integer"]
        let fraction = row["fraction"]
        let digitsOnly = integer.allSatisfy { $0.isASCIIDigit } && fraction.allSatisfy { $0.isASCIIDigit }
        #expect(!integer.isEmpty && digitsOnly)
        #expect(reading == (fraction.isEmpty ? integer : integer + "." + fraction))
        #expect(["water", "gas", "electricity", "heat"].contains(row["meter_type"]))
    }

    @Test("photos exist and decode to the listed upright size", arguments: rows)
    func photoDecodes(_ row: Row) throws {
        let path = Self.samples.appendingPathComponent(row["file"]).path
        let bytes = try readPhotoFile(atPath: path, maxBytes: 40 << 20)
        let photo = try decode(bytes, options: DecodeOptions(pixelFormat: .gray, minimumSize: (64, 64)))
        #expect(String(photo.originalWidth) == row["width"])
        #expect(String(photo.originalHeight) == row["height"])
        #expect(String(photo.orientation.rawValue) == row["orientation"])
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
