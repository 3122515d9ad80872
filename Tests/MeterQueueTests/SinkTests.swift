import Foundation
@testable import MeterQueue
import MeterReading
import Testing

private func message(_ id: String, value: String = "1189.27", sequence: Int64 = 1) -> OutboxMessage {
    let record = DeliveryRecord(
        readingID: id, meterNumber: "12345678", obis: "8-0:1.0.0", value: value, unit: "m3",
        readAt: "2026-11-25T10:00:00Z", receivedAt: "2026-11-25T10:00:00Z", reason: "customer_self_reading",
        status: "accepted", confidence: 0.97, channel: "signal", messageID: "m;1", senderRef: "abc",
        imageSHA256: "ff")
    let payload = String(decoding: try! JSONEncoder().encode(record), as: UTF8.self)
    return OutboxMessage(sequence: sequence, readingID: id, meterNumber: "12345678", payload: payload, deliveryCount: 1)
}

private func lines(_ path: String) -> [String] {
    (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
}

@Suite struct SinkTests {
    let folder = StateDirectory()

    init() throws {
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
    }

    @Test func parsesSinkSpecs() {
        #expect(SinkSpec("jsonl:/tmp/a.jsonl") == .jsonl(path: "/tmp/a.jsonl"))
        #expect(SinkSpec("csv:out.csv") == .csv(path: "out.csv"))
        #expect(SinkSpec("exec:cat >> x") == .exec(command: "cat >> x"))
        #expect(SinkSpec("https://billing.example/readings") != nil)
        for bad in ["", "jsonl:", "ftp://x", "out.jsonl", "http://"] { #expect(SinkSpec(bad) == nil, "\(bad)") }
    }

    @Test func jsonLinesAppendAndDropALineTornByACrash() throws {
        let path = folder.path + "/out.jsonl"
        let sink = try SinkSpec.jsonl(path: path).open()
        #expect(sink.deliver(message("r1")) == .delivered)
        // A crash in the middle of a write leaves half a record behind.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"reading_id\":\"r2\",\"val".utf8))
        try handle.close()
        let reopened = try SinkSpec.jsonl(path: path).open()
        #expect(reopened.deliver(message("r2")) == .delivered)
        let written = lines(path)
        #expect(written.count == 2)
        #expect(written.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }

    @Test func csvWritesOneHeaderGermanDecimalsAndQuotes() throws {
        let path = folder.path + "/out.csv"
        #expect(try SinkSpec.csv(path: path).open(decimalComma: true).deliver(message("r1")) == .delivered)
        #expect(try SinkSpec.csv(path: path).open(decimalComma: true).deliver(message("r2", value: "5.5")) == .delivered)
        let written = lines(path)
        #expect(written.count == 3)
        #expect(written[0].hasPrefix("reading_id;meter_number;obis;value;"))
        #expect(written[1].contains(";1189,27;m3;"))
        #expect(written[1].contains(";\"m;1\";"))
        #expect(written[2].contains(";5,5;"))
    }

    @Test func execDeliversOnExitZeroRefusesOn65AndRetriesOtherwise() throws {
        let path = folder.path + "/exec.jsonl"
        #expect(try SinkSpec.exec(command: "cat >> '\(path)'").open().deliver(message("r1")) == .delivered)
        #expect(lines(path).first?.contains("\"reading_id\":\"r1\"") == true)
        #expect(try SinkSpec.exec(command: "exit 65").open().deliver(message("r2")) == .refused("exit 65 refused the record (exit 65)"))
        guard case .retry = try SinkSpec.exec(command: "exit 3").open().deliver(message("r3")) else {
            Issue.record("exit 3 was not retried")
            return
        }
    }

    @Test func httpPostsWithIdempotencyKeyAndClassifiesStatuses() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let ok = try SinkSpec("http://127.0.0.1:\(server.port)/ok")!.open()
        #expect(ok.deliver(message("r1")) == .delivered)
        #expect(server.log().contains("POST /ok r1"))
        guard case .retry = try SinkSpec("http://127.0.0.1:\(server.port)/busy")!.open().deliver(message("r2")) else {
            Issue.record("503 was not retried")
            return
        }
        guard case .refused = try SinkSpec("http://127.0.0.1:\(server.port)/bad")!.open().deliver(message("r3")) else {
            Issue.record("400 was not refused")
            return
        }
        server.stop()
        guard case .retry = ok.deliver(message("r4")) else {
            Issue.record("a refused connection was not retried")
            return
        }
    }
}

/// A sink that answers from a script, remembering what it saw.
private final class ScriptedSink: DeliverySink {
    var answers: [DeliveryOutcome]
    var seen: [String] = []

    init(_ answers: [DeliveryOutcome]) { self.answers = answers }

    func deliver(_ message: OutboxMessage) -> DeliveryOutcome {
        seen.append(message.readingID)
        return answers.isEmpty ? .delivered : answers.removeFirst()
    }
}

@Suite struct QueueConsumerTests {
    @Test func drainsInOrderAndCountsOutcomes() throws {
        let state = StateDirectory()
        let store = try state.open()
        _ = try store.importMeters([water("A"), water("B")])
        var ids: [String] = []
        for index in 0..<3 {
            for meter in ["A", "B"] {
                let value = String(format: "%05d", 1501 + index)
                ids.append(try store.decide(request(value, image: "\(meter)\(index)", at: day(Double(index + 1)), meter: meter), validator: validator).readingID)
            }
        }
        let sink = ScriptedSink([.delivered, .refused("HTTP 400")])
        let summary = try QueueConsumer().run(store: store, sink: sink, once: true, shouldStop: { false }, log: { _ in })
        #expect(summary.delivered == 5)
        #expect(summary.deadLettered == 1)
        #expect(sink.seen.sorted() == ids.sorted())
        // Per meter the order of reading is the order of delivery.
        let delivered = sink.seen
        for meter in [0, 1] {
            let own = ids.enumerated().filter { $0.offset % 2 == meter }.map(\.element)
            #expect(delivered.filter(own.contains) == own)
        }
    }

    @Test func aRetriedMessageWaitsAndKeepsItsMetersOrder() throws {
        let state = StateDirectory()
        let store = try state.open()
        _ = try store.importMeters([water()])
        _ = try store.decide(request("01501", image: "1", at: day(1)), validator: validator)
        _ = try store.decide(request("01502", image: "2", at: day(2)), validator: validator)
        let sink = ScriptedSink([.retry("timeout")])
        let summary = try QueueConsumer().run(store: store, sink: sink, once: true, shouldStop: { false }, log: { _ in })
        // The first failed and backs off; the second must not overtake it.
        #expect(summary == QueueConsumer.Summary(delivered: 0, retried: 1, deadLettered: 0))
        #expect(sink.seen.count == 1)
        #expect(try store.queueCounts().pending == 2)
    }

    @Test func stoppingGivesClaimedMessagesBack() throws {
        let state = StateDirectory()
        let store = try state.open()
        _ = try store.importMeters([water("A"), water("B")])
        _ = try store.decide(request("01501", image: "1", at: day(1), meter: "A"), validator: validator)
        _ = try store.decide(request("01501", image: "2", at: day(1), meter: "B"), validator: validator)
        let sink = ScriptedSink([])
        var calls = 0
        _ = try QueueConsumer().run(store: store, sink: sink, once: true, shouldStop: { calls += 1; return calls > 2 }, log: { _ in })
        #expect(sink.seen.count == 1)
        // The untried one is claimable at once, not after the visibility timeout.
        #expect(try store.claim(limit: 5, visibility: 60, now: Date()).count == 1)
    }
}
