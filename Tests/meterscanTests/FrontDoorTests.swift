import Foundation
import Testing

private func objects(_ outcome: CommandLineRunner.Outcome) throws -> [[String: Any]] {
    try outcome.lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
}

private func codes(_ result: [String: Any]) -> [String] {
    (result["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
}

private let photos = ReadCommandTests.samples + "/photos"

@Suite("batch and pipe, run as a user runs them")
struct FrontDoorTests {
    @Test func batchOverAFolderIsResumableAndSummarised() async throws {
        let folder = try ScratchFolder()
        let input = try folder.make("in")
        // Good photos, an unreadable one (motion blur), a damaged and a non-photo file.
        for name in ["0003.jpg", "0004.jpg", "0008.jpg"] {
            try FileManager.default.copyItem(atPath: photos + "/" + name, toPath: input + "/" + name)
        }
        let good = try Data(contentsOf: URL(fileURLWithPath: photos + "/0009.jpg"))
        try good.prefix(good.count / 3).write(to: URL(fileURLWithPath: input + "/cut.jpg"))
        try Data("%PDF-1.4 not a photo".utf8).write(to: URL(fileURLWithPath: input + "/nested-scan.jpg"))

        let first = try await CommandLineRunner.run(["batch", "--state", folder.state, "--jobs", "2", input])
        #expect(first.status == 1)
        let results = try objects(first)
        #expect(results.count == 5)
        let byFile = Dictionary(uniqueKeysWithValues: results.map { (($0["file"] as? String ?? "") as NSString).lastPathComponent }
            .enumerated().map { ($0.element, results[$0.offset]) })
        #expect(codes(try #require(byFile["cut.jpg"])).contains("decode_error"))
        #expect(codes(try #require(byFile["nested-scan.jpg"])).contains("decode_error"))
        #expect(byFile["0008.jpg"]?["status"] as? String == "rejected")
        #expect(first.stderr.contains("5 photo(s):"))
        #expect(!first.stderr.contains("\u{1B}["), "no progress bar when stderr is not a terminal")

        // Run again: everything was decided, nothing is read or written twice.
        let again = try await CommandLineRunner.run(["batch", "--state", folder.state, input])
        #expect(again.lines.isEmpty)
        #expect(again.stderr.contains("5 skipped"))
        #expect(again.status == 0)

        // --force reads again; the store repeats its decisions (same reading ids).
        let out = folder.path + "/results.csv"
        let forced = try await CommandLineRunner.run(
            ["batch", "--state", folder.state, "--force", "--quiet", "--format", "csv", "--out", out, input])
        #expect(forced.stderr.isEmpty)
        let csv = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 6)
        #expect(csv[0].hasPrefix("file;id;status;value"))
        let firstIDs = Set(results.compactMap { $0["reading_id"] as? String })
        #expect(csv.dropFirst().allSatisfy { line in firstIDs.contains { line.contains($0) } })
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
    }

    @Test func pipeAnswersEveryShapeAndGarbageOneLineEach() async throws {
        let folder = try ScratchFolder()
        let media = try folder.make("media")
        let signal = try folder.make("signal")
        try FileManager.default.copyItem(atPath: photos + "/0004.jpg", toPath: media + "/own.jpg")
        try FileManager.default.copyItem(atPath: photos + "/0016.jpg", toPath: media + "/wa-media-1.jpg")
        try FileManager.default.copyItem(atPath: photos + "/0011.jpg", toPath: media + "/AQADtg1.jpg")
        try FileManager.default.copyItem(atPath: photos + "/0003.jpg", toPath: signal + "/sigatt1.jpg")
        let base64 = try Data(contentsOf: URL(fileURLWithPath: photos + "/0029.jpg")).base64EncodedString()
        let lines = [
            #"{"id":"own-1","received_at":"2026-11-25T10:00:00Z","channel":"threema","sender":"+49 170 5550001","meter":"12345678","image_path":"own.jpg"}"#,
            #"{"id":"own-2","channel":"gateway","sender":"ABCD1234","image_base64":"\#(base64)"}"#,
            #"{"envelope":{"source":"+491705550002","sourceNumber":"+491705550002","sourceUuid":"5f1c2b1e-0000-4000-8000-000000000001","sourceName":"Erika Musterfrau","sourceDevice":1,"timestamp":1764064800000,"dataMessage":{"timestamp":1764064800000,"message":"Zählerstand","attachments":[{"contentType":"image/jpeg","filename":"IMG_1.jpg","id":"sigatt1.jpg","size":1000}]}},"account":"+491700000000"}"#,
            #"{"jsonrpc":"2.0","method":"receive","params":{"envelope":{"sourceNumber":"+491705550003","sourceName":"Hans","timestamp":1764064801000,"dataMessage":{"timestamp":1764064801000,"message":"nur Text"}},"account":"+491700000000"}}"#,
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","contacts":[{"profile":{"name":"Max Mustermann"},"wa_id":"4917055500004"}],"messages":[{"from":"4917055500004","id":"wamid.ABC","timestamp":"1764064802","type":"image","image":{"mime_type":"image/jpeg","id":"wa-media-1"}}]}}]}]}"#,
            #"{"update_id":7,"message":{"message_id":9,"from":{"id":555000005,"is_bot":false,"first_name":"Lena"},"chat":{"id":555000005,"type":"private"},"date":1764064803,"photo":[{"file_id":"s","file_unique_id":"AQADsm","width":90,"height":60},{"file_id":"b","file_unique_id":"AQADtg1","width":1280,"height":960}]}}"#,
            "this is not json",
            "[1, 2, 3]",
            #"{"id":"evil","sender":"x","image_path":"../../../etc/passwd"}"#,
        ]
        let outcome = try await CommandLineRunner.run(
            ["pipe", "--state", folder.state, "--jobs", "2", "--media-dir", media, "--signal-attachments", signal],
            input: lines.joined(separator: "\n") + "\n")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let results = try objects(outcome)
        #expect(results.count == lines.count)
        #expect(results.map { $0["id"] as? String } == [
            "own-1", "own-2", "1764064800000", "1764064801000", "wamid.ABC", "tg-7", nil, nil, "evil",
        ])
        for result in results {
            let reply = try #require(result["reply"] as? [String: Any])
            #expect(reply["lang"] as? String == "de")
            #expect(!(reply["text"] as? String ?? "").isEmpty)
        }
        #expect(codes(results[3]) == ["no_image"])
        #expect(codes(results[6]) == ["bad_input"])
        #expect(codes(results[7]) == ["bad_input"])
        #expect(codes(results[8]) == ["bad_input"])
        for index in [0, 1, 2, 4, 5] {
            #expect(!codes(results[index]).contains("bad_input"), "line \(index + 1): \(results[index])")
            #expect(!codes(results[index]).contains("decode_error"), "line \(index + 1): \(results[index])")
        }

        // No phone number, messenger id or name reaches the state, the outputs or the logs.
        let secrets = [
            "1705550001", "170 5550001", "1705550002", "1705550003", "17055500004", "555000005", "ABCD1234",
            "5f1c2b1e-0000-4000-8000-000000000001", "Erika", "Musterfrau", "Max Mustermann", "Lena", "Hans",
        ]
        let everything = try folder.allBytes() + Data(outcome.stdout.utf8) + Data(outcome.stderr.utf8)
        for secret in secrets {
            #expect(everything.range(of: Data(secret.utf8)) == nil, "\(secret) was stored or printed")
        }
    }

    @Test func pipeStopsReadingOnSIGTERMAndExits130() async throws {
        let folder = try ScratchFolder()
        let process = Process()
        process.executableURL = CommandLineRunner.executable
        process.arguments = ["pipe", "--state", folder.state, "--lang", "en"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(#"{"id":"t1","sender":"x","caption":"no photo"}"#.utf8 + [10]))
        // The answer comes while stdin stays open: results are flushed per line.
        var received = Data()
        while !received.contains(10) { received.append(output.fileHandleForReading.availableData) }
        #expect(String(decoding: received, as: UTF8.self).contains("no_image"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
    }

    @Test func purgeDeletesAuditCropsPastRetentionOnly() async throws {
        let folder = try ScratchFolder()
        let input = try folder.make("in")
        try FileManager.default.copyItem(atPath: photos + "/0004.jpg", toPath: input + "/0004.jpg")
        _ = try await CommandLineRunner.run(["batch", "--state", folder.state, "--quiet", input])
        let crops = FileManager.default.enumerator(atPath: folder.state + "/audit")?.allObjects
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".png") } ?? []
        #expect(crops.count == 1)
        let kept = try await CommandLineRunner.run(["purge", "--state", folder.state, "--older-than", "30d"])
        #expect(kept.stdout.contains("deleted 0 audit crop(s)"))
        #expect(FileManager.default.fileExists(atPath: folder.state + "/audit/" + crops[0]))
        let purged = try await CommandLineRunner.run(["purge", "--state", folder.state, "--older-than", "0m"])
        #expect(purged.stdout.contains("deleted 1 audit crop(s)"))
        #expect(!FileManager.default.fileExists(atPath: folder.state + "/audit/" + crops[0]))
        let bad = try await CommandLineRunner.run(["purge", "--state", folder.state, "--older-than", "soon"])
        #expect(bad.status == 64)
    }

    @Test func batchInterruptedByCtrlCDrainsSummarisesAndExits130() async throws {
        let folder = try ScratchFolder()
        let process = Process()
        process.executableURL = CommandLineRunner.executable
        process.arguments = ["batch", "--state", folder.state, "--jobs", "1", photos]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Wait for the first result, then interrupt as a clerk's Ctrl-C would.
        var received = Data()
        while !received.contains(10) { received.append(output.fileHandleForReading.availableData) }
        kill(process.processIdentifier, SIGINT)
        received.append(output.fileHandleForReading.readDataToEndOfFile())
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n")
        #expect(lines.count < 250)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        #expect(stderr.contains("\(lines.count) photo(s):"))
        #expect(stderr.contains("interrupted"))
    }
}
