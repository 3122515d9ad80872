import Foundation
import Testing

@Suite("meterscan inspect, run as a user runs it")
struct InspectCommandTests {
    let fixtures = CommandLineRunner.fixtures

    func record(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func rotatedPhotoReportsTheUprightSize() async throws {
        let outcome = try await CommandLineRunner.run(["inspect", fixtures + "/exif_orient_6.jpg"])
        #expect(outcome.status == 0)
        #expect(outcome.stderr.isEmpty)
        let fields = try record(try #require(outcome.lines.first))
        #expect(fields["width"] as? Int == 64 && fields["height"] as? Int == 48)
        #expect(fields["orientation"] as? Int == 6)
        #expect(fields["format"] as? String == "jpeg")
        #expect(fields["error"] is NSNull)
        #expect(fields["decode_ms"] is Double)
    }

    @Test func mixedFilesAreAllReportedAndExitIsOne() async throws {
        let files = ["jpeg_420.jpg", "truncated_half.jpg", "notes.txt", "huge_dims.png", "empty.bin", "png_rgba16_adam7.png"]
        let outcome = try await CommandLineRunner.run(["inspect"] + files.map { fixtures + "/" + $0 } + ["/nonexistent/x.jpg"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.isEmpty)
        let records = try outcome.lines.map(record)
        #expect(records.map { ($0["file"] as? String) ?? "" }
            == files.map { fixtures + "/" + $0 } + ["/nonexistent/x.jpg"])
        let errors = records.map { $0["error"] as? String }
        #expect(errors[0] == nil && errors[5] == nil)
        #expect(errors[1]?.contains("Premature end") == true)
        #expect(errors[2]?.contains("text") == true)
        #expect(errors[3]?.contains("100000×100000") == true)
        #expect(errors[4]?.contains("empty") == true)
        #expect(errors[6]?.contains("no such file") == true)
    }

    @Test func directoryOfFixturesPrintsNothingOnStderr() async throws {
        let outcome = try await CommandLineRunner.run(["inspect", "--format", "text", fixtures])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.isEmpty, "stderr: \(outcome.stderr)")
        // Every .jpg/.png fixture gets a line; notes.txt and the CSVs do not.
        let photos = try FileManager.default.contentsOfDirectory(atPath: fixtures)
            .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }
        #expect(outcome.lines.count == photos.count)
        #expect(outcome.lines.contains { $0.contains("exif_orient_8.jpg: JPEG 64×48 (EXIF orientation 8)") })
    }

    @Test func allGoodExitsZero() async throws {
        let outcome = try await CommandLineRunner.run([
            "inspect", "--min-size", "200x150", "--gray", fixtures + "/jpeg_large_1600x1200.jpg",
        ])
        #expect(outcome.status == 0)
        let fields = try record(try #require(outcome.lines.first))
        #expect(fields["scale"] as? Int == 8)
        #expect(fields["decoded_width"] as? Int == 200)
        #expect(fields["width"] as? Int == 1600)
    }

    @Test(arguments: [["inspect"], ["inspect", "--format", "xml", "x.jpg"], ["inspect", "--min-size", "big", "x.jpg"], ["frobnicate"]])
    func usageErrorsExit64(_ arguments: [String]) async throws {
        let outcome = try await CommandLineRunner.run(arguments)
        #expect(outcome.status == 64)
        #expect(!outcome.stderr.isEmpty)
    }

    @Test func helpAndVersion() async throws {
        let help = try await CommandLineRunner.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("inspect"))
        let version = try await CommandLineRunner.run(["--version"])
        #expect(version.status == 0 && version.stdout.contains("."))
    }
}
