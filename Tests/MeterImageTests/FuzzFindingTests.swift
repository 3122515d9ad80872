import Foundation
import Testing
import MeterImage

/// Inputs the fuzzer found (Fuzz/README.md); each once cost too much or crashed.
@Suite("Fuzzer findings")
struct FuzzFindingTests {
    static let findings = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path))?
        .filter { $0.hasPrefix("fuzz_") }.sorted() ?? []

    @Test func thereAreFindingsToReplay() {
        #expect(!Self.findings.isEmpty)
    }

    /// A 108-byte PNG whose sCAL chunk claims 1 GiB: libpng used to allocate and zero it
    /// (a skippable "benign" error once the allocation failed). With the capped allocator the
    /// chunk is refused and the file ends early.
    @Test func hugeAncillaryChunkIsRefusedCheaply() {
        #expect(throws: DecodeError.truncated("premature end of PNG data")) {
            try decode(Fixtures.bytes("fuzz_png_huge_scal_chunk.png"))
        }
    }

    @Test("replays without crashing", arguments: findings)
    func replays(_ file: String) {
        _ = try? decode(Fixtures.bytes(file))
        _ = try? decode(Fixtures.bytes(file), options: DecodeOptions(pixelFormat: .gray, minimumSize: (16, 16)))
    }
}
