import Foundation
import Testing

@Suite("meterscan read and eval, run as a user runs them")
struct ReadCommandTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples").path

    @Test func resultLinesFollowTheContract() async throws {
        let files = ["photos/0003.jpg", "photos/0009.jpg"].map { Self.samples + "/" + $0 }
        let outcome = try await CommandLineRunner.run(["read", "--jobs", "2"] + files + [CommandLineRunner.fixtures + "/notes.txt"])
        #expect(outcome.stderr.isEmpty, "stderr: \(outcome.stderr)")
        #expect([0, 1].contains(outcome.status))
        #expect(outcome.lines.count == 3)
        for (line, file) in zip(outcome.lines, files + [CommandLineRunner.fixtures + "/notes.txt"]) {
            let fields = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(fields["file"] as? String == file)
            for key in ["id", "status", "reading", "meter", "confidence", "digits", "reasons", "reply", "timings_ms"] {
                #expect(fields.keys.contains(key), "missing \(key)")
            }
            #expect(["accepted", "review", "rejected"].contains(fields["status"] as? String ?? ""))
        }
        let last = try #require(JSONSerialization.jsonObject(with: Data(outcome.lines[2].utf8)) as? [String: Any])
        #expect(last["status"] as? String == "rejected")
        let reasons = try #require(last["reasons"] as? [[String: Any]])
        #expect(reasons.first?["code"] as? String == "decode_error")
        #expect(outcome.status == 1)
    }

    @Test func missingModelIsExitTwoNamingThePackage() async throws {
        let outcome = try await CommandLineRunner.run([
            "read", "--model", "eng", "--tessdata", "/nonexistent-tessdata", Self.samples + "/photos/0003.jpg",
        ])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("tesseract-ocr-eng"))
    }

    @Test func missingDigitNetworkIsExitTwoNamingTheFile() async throws {
        let outcome = try await CommandLineRunner.run([
            "read", "--tessdata", "/nonexistent-models", Self.samples + "/photos/0003.jpg",
        ])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("/nonexistent-models/digitnet.bin"))
    }

    @Test func debugDirectoryGetsPictures() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meterscan-debug-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await CommandLineRunner.run(["read", "--debug-dir", directory, Self.samples + "/photos/0009.jpg"])
        let pictures = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(pictures.contains("0009-1-photo.png") && pictures.contains("0009-3-cells.png"))
    }
}
