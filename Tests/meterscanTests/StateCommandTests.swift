import Foundation
import Testing

private func json(_ line: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

@Suite("meters, read --state, review and consume, run as a user runs them")
struct StateCommandTests {
    static let photos = ReadCommandTests.samples + "/photos"

    @Test func registryReadingReviewAndDeliveryWorkTogether() async throws {
        let scratch = try ScratchFolder()
        let registry = try scratch.write(
            "meters.csv",
            """
            meter_number;medium;unit;obis;integer_digits;fraction_digits;max_per_day;last_reading;last_read_at
            4;water;m3;8-0:1.0.0;5;3;10;00040;2026-11-01
            16;electricity;kWh;1-0:1.8.0;5;0;50;03000;2026-11-01
            """)
        let imported = try await CommandLineRunner.run(["meters", "import", "--state", scratch.state, registry])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("2 new"))

        let first = try await CommandLineRunner.run(["read", "--state", scratch.state, "--meter", "4", Self.photos + "/0004.jpg"])
        let firstResult = try json(try #require(first.lines.first))
        let readingID = try #require(firstResult["reading_id"] as? String)
        #expect(firstResult["meter"] as? String == "4")
        // The same photo again: the same decision, the same reading, nothing queued twice.
        let again = try await CommandLineRunner.run(["read", "--state", scratch.state, "--meter", "4", Self.photos + "/0004.jpg"])
        let againResult = try json(try #require(again.lines.first))
        #expect(againResult["reading_id"] as? String == readingID)
        #expect(againResult["status"] as? String == firstResult["status"] as? String)

        // A meter the registry does not know goes to a clerk.
        let unknown = try await CommandLineRunner.run(["read", "--state", scratch.state, "--meter", "999", Self.photos + "/0016.jpg"])
        let unknownResult = try json(try #require(unknown.lines.first))
        #expect(unknown.status == 1)
        let statuses = [firstResult["status"] as? String, unknownResult["status"] as? String]
        if unknownResult["status"] as? String == "review" {
            let codes = (unknownResult["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
            #expect(codes.contains("unknown_meter"))
            let listed = try await CommandLineRunner.run(["review", "list", "--state", scratch.state, "--format", "jsonl"])
            let reviewID = try #require(unknownResult["reading_id"] as? String)
            #expect(listed.stdout.contains(reviewID))
            let shown = try await CommandLineRunner.run(["review", "show", "--state", scratch.state, String(reviewID.prefix(20))])
            #expect(shown.stdout.contains("audit crop"))
            let corrected = try await CommandLineRunner.run(
                ["review", "correct", "--state", scratch.state, "--meter", "16", reviewID, "3044"])
            #expect(corrected.status == 0, "\(corrected.stderr)")
            #expect(corrected.stdout.contains("queued for billing"))
        }
        let expected = statuses.filter { $0 == "accepted" }.count + (unknownResult["status"] as? String == "review" ? 1 : 0)

        let sink = scratch.path + "/billing.jsonl"
        let consumed = try await CommandLineRunner.run(["consume", "--state", scratch.state, "--sink", "jsonl:" + sink, "--once"])
        #expect(consumed.status == 0, "\(consumed.stderr)")
        let delivered = try String(contentsOfFile: sink, encoding: .utf8).split(separator: "\n").map { try json(String($0)) }
        #expect(delivered.count == expected)
        #expect(Set(delivered.compactMap { $0["reading_id"] as? String }).count == delivered.count)
        for record in delivered {
            #expect(record["reason"] as? String == "customer_self_reading")
            #expect(["4", "16"].contains(record["meter_number"] as? String ?? ""))
        }
        // Nothing left: a second drain delivers nothing more.
        let second = try await CommandLineRunner.run(["consume", "--state", scratch.state, "--sink", "jsonl:" + sink, "--once"])
        #expect(second.stderr.contains("delivered 0"))
    }

    @Test func aBadRegistryFileImportsNothingAndNamesEveryLine() async throws {
        let scratch = try ScratchFolder()
        let registry = try scratch.write("meters.csv", "meter_number,integer_digits\n1,5\n2,many\n,5\n")
        let outcome = try await CommandLineRunner.run(["meters", "import", "--state", scratch.state, registry])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("line 3: integer_digits 'many'"))
        #expect(outcome.stderr.contains("line 4: meter_number is empty"))
        let listed = try await CommandLineRunner.run(["meters", "list", "--state", scratch.state])
        #expect(listed.stdout.contains("0 meter(s)"))
    }

    @Test func aCorruptDatabaseIsExitTwoWithAMessage() async throws {
        let scratch = try ScratchFolder()
        try FileManager.default.createDirectory(atPath: scratch.state, withIntermediateDirectories: true)
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            .write(to: URL(fileURLWithPath: scratch.state + "/meterscan.sqlite"))
        let outcome = try await CommandLineRunner.run(["meters", "list", "--state", scratch.state])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("is not a readable MeterScan database"))
    }

    @Test func aStateDirectoryThatCannotBeCreatedIsExitTwo() async throws {
        let scratch = try ScratchFolder()
        let blocker = try scratch.write("file", "not a directory")
        let outcome = try await CommandLineRunner.run(["read", "--state", blocker + "/state", Self.photos + "/0004.jpg"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("cannot write the state"))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func consumeRefusesAnUnknownSink() async throws {
        let scratch = try ScratchFolder()
        let outcome = try await CommandLineRunner.run(["consume", "--state", scratch.state, "--sink", "ftp://x"])
        #expect(outcome.status == 64)
    }
}

/// Two hosts (two state directories) on one PostgreSQL store, through the command line.
@Suite(
    "--store postgres://: hosts sharing one database",
    .enabled(
        if: ProcessInfo.processInfo.environment["METERSCAN_TEST_POSTGRES_URL"] != nil,
        "needs METERSCAN_TEST_POSTGRES_URL (scripts/with-postgres.sh)"))
struct SharedStoreCommandTests {
    /// A new database on the test server.
    static func freshDatabase() async throws -> String {
        let server = try #require(ProcessInfo.processInfo.environment["METERSCAN_TEST_POSTGRES_URL"])
        let name = "cli_" + UUID().uuidString.lowercased().prefix(8)
        let created = try await CommandLineRunner.run(
            ["psql", "-q", server, "-c", "CREATE DATABASE \(name)"], executable: "/usr/bin/env")
        #expect(created.status == 0, "\(created.stderr)")
        return server.prefix { $0 != "?" }.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/") + "/\(name)"
    }

    @Test func aReadingOnOneHostIsReviewedAndDeliveredFromAnother() async throws {
        let (hostA, hostB) = (try ScratchFolder(), try ScratchFolder())
        let store = try await Self.freshDatabase()
        let secret = ["METERSCAN_SECRET": "one-secret-for-every-host-here"]
        let registry = try hostA.write("meters.csv", "meter_number;unit\n4;m3\n")
        let imported = try await CommandLineRunner.run(
            ["meters", "import", "--state", hostA.state, "--store", store, registry], environment: secret)
        #expect(imported.status == 0, "\(imported.stderr)")

        // Host B reads a photo of a meter only host A registered; the decision is shared.
        let read = try await CommandLineRunner.run(
            ["read", "--state", hostB.state, "--meter", "999", StateCommandTests.photos + "/0016.jpg"],
            environment: secret.merging(["METERSCAN_DATABASE_URL": store]) { $1 })
        let result = try json(try #require(read.lines.first))
        let readingID = try #require(result["reading_id"] as? String)
        #expect(result["status"] as? String == "review")

        // Host A's clerk sees it, with the counter crop fetched from the database.
        let shown = try await CommandLineRunner.run(
            ["review", "show", "--state", hostA.state, "--store", store, readingID], environment: secret)
        #expect(shown.status == 0, "\(shown.stderr)")
        let cropLine = try #require(shown.stdout.split(separator: "\n").first { $0.hasPrefix("audit crop") })
        let cropPath = cropLine.dropFirst("audit crop ".count).trimmingCharacters(in: .whitespaces)
        #expect(cropPath.hasPrefix(hostA.state))
        #expect(FileManager.default.contents(atPath: cropPath)?.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))

        let corrected = try await CommandLineRunner.run(
            ["review", "correct", "--state", hostA.state, "--store", store, "--meter", "4", readingID, "3044"],
            environment: secret)
        #expect(corrected.status == 0, "\(corrected.stderr)")
        let sink = hostB.path + "/billing.jsonl"
        let consumed = try await CommandLineRunner.run(
            ["consume", "--state", hostB.state, "--store", store, "--sink", "jsonl:" + sink, "--once"], environment: secret)
        #expect(consumed.status == 0, "\(consumed.stderr)")
        #expect(try String(contentsOfFile: sink, encoding: .utf8).contains(readingID))
    }

    @Test func aHostWithAnotherSecretIsRefused() async throws {
        let (hostA, hostB) = (try ScratchFolder(), try ScratchFolder())
        let store = try await Self.freshDatabase()
        let first = try await CommandLineRunner.run(
            ["meters", "list", "--state", hostA.state, "--store", store],
            environment: ["METERSCAN_SECRET": "the-first-hosts-secret-key"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try await CommandLineRunner.run(
            ["meters", "list", "--state", hostB.state, "--store", store],
            environment: ["METERSCAN_SECRET": "a-different-secret-key-here"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("METERSCAN_SECRET"))
    }

    @Test func aStoreURLThatCannotBeUsedIsAClearError() async throws {
        let scratch = try ScratchFolder()
        let bad = try await CommandLineRunner.run(["meters", "list", "--state", scratch.state, "--store", "postgres://x@h/db?sslmode=maybe"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("sslmode"))
        let unreachable = try await CommandLineRunner.run(
            ["meters", "list", "--state", scratch.state, "--store", "postgres://nobody@127.0.0.1:1/none"])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("127.0.0.1:1"))
    }
}
