import Foundation
import MeterQueue
import MeterQueuePostgres
import MeterReading
import Testing

/// A store backend the shared store tests run against.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    /// SQLite always; PostgreSQL when `METERSCAN_TEST_POSTGRES_URL` names a server
    /// (`scripts/with-postgres.sh` starts a throwaway one and sets it, as CI does).
    static var available: [Backend] { TestPostgres.serverURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }
}

/// A fresh, empty store per test: a temporary state directory for SQLite, a new database on
/// the test server for PostgreSQL. Opening it twice opens the same store.
final class StateDirectory {
    let path: String
    let backend: Backend
    private var databaseURL: String?

    init(_ backend: Backend = .sqlite) {
        path = NSTemporaryDirectory() + "meterscan-store-\(UUID().uuidString)"
        self.backend = backend
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func open() throws -> any ReadingStore {
        switch backend {
        case .sqlite: return try SQLiteStore(directory: path)
        case .postgres:
            if databaseURL == nil { databaseURL = try TestPostgres.freshDatabase() }
            return try PostgresStore(location: PostgresLocation(url: databaseURL!))
        }
    }
}

let day0 = Date(timeIntervalSince1970: 1_780_000_000)
func day(_ n: Double) -> Date { day0.addingTimeInterval(n * 86_400) }
/// Queue messages become visible when written (real time): claims happen a minute later.
var afterNow: Date { Date().addingTimeInterval(60) }

func water(_ number: String = "12345678", reference: String? = "01500", maxPerDay: Double? = 50, senders: [String] = [])
    -> Meter
{
    Meter(
        number: number, medium: .water, unit: "m3", obis: "8-0:1.0.0", integerDigits: 5, fractionDigits: 2,
        maxPerDay: maxPerDay, senders: senders,
        reference: reference.map { ConfirmedReading(value: MeterValue(parsing: $0)!, readAt: day0) })
}

/// A confident reading of `integer` in photo `image` received on `date`.
func request(
    _ integer: String, fraction: String? = nil, image: String, at date: Date, meter: String? = "12345678",
    sender: String? = nil, caption: String? = nil, status: ReadingStatus = .accepted
) -> DecisionRequest {
    DecisionRequest(
        imageSHA256: image,
        recognized: RecognizedReading(integer: integer, fraction: fraction, status: status, reasons: []),
        confidence: 0.97, receivedAt: date, meterNumber: meter, caption: caption, senderRef: sender)
}

let validator = ReadingValidator()

/// What every store must do alike, run against each backend.
@Suite struct StoreTests {
    @Test(arguments: Backend.available) func importsAndListsMetersAtomically(backend: Backend) throws {
        let state = StateDirectory(backend)
        let store = try state.open()
        let summary = try store.importMeters([water("1"), water("2", senders: ["h1", "h2"])])
        #expect(summary == ImportSummary(added: 2, updated: 0))
        #expect(try store.meters().map(\.number) == ["1", "2"])
        let second = try #require(try store.meter(number: "2"))
        #expect(second.senders == ["h1", "h2"])
        #expect(second.reference?.value.description == "1500")
        #expect(try store.importMeters([water("2", reference: nil)]) == ImportSummary(added: 0, updated: 1))
        // A re-import without a last reading keeps the reference the store has.
        #expect(try store.meter(number: "2")?.reference?.value.description == "1500")
    }

    @Test(arguments: Backend.available) func acceptedReadingIsRecordedEnqueuedAndBecomesTheReference(backend: Backend) throws {
        let state = StateDirectory(backend)
        let store = try state.open()
        _ = try store.importMeters([water()])
        let decision = try store.decide(request("01510", fraction: "25", image: "a", at: day(1)), validator: validator)
        #expect(decision.status == .accepted)
        #expect(decision.value == "1510.25")
        #expect(decision.enqueued == [decision.readingID])
        #expect(try store.meter(number: "12345678")?.reference?.value.description == "1510.25")
        let messages = try store.claim(limit: 10, visibility: 30, now: afterNow)
        #expect(messages.map(\.readingID) == [decision.readingID])
        let record = try JSONDecoder().decode(DeliveryRecord.self, from: Data(messages[0].payload.utf8))
        #expect(record.value == "1510.25")
        #expect(record.obis == "8-0:1.0.0")
        #expect(record.reason == "customer_self_reading")
    }

    @Test(arguments: Backend.available) func theSamePhotoTwiceIsDecidedOnceAndQueuedOnce(backend: Backend) throws {
        let state = StateDirectory(backend)
        let store = try state.open()
        _ = try store.importMeters([water()])
        let first = try store.decide(request("01510", image: "same", at: day(1)), validator: validator)
        let again = try store.decide(request("01510", image: "same", at: day(2)), validator: validator)
        #expect(again.isRepeat)
        #expect(again.readingID == first.readingID)
        #expect(again.status == first.status)
        #expect(again.reasons.map(\.code).contains(.duplicatePhoto))
        #expect(try store.queueCounts().pending == 1)
    }

    /// One wrong reading accepted as the reference must not make every correct one after it fail.
    @Test(arguments: Backend.available) func recoversAfterAWrongReadingWasAccepted(backend: Backend) throws {
        let state = StateDirectory(backend)
        let store = try state.open()
        _ = try store.importMeters([water()])
        // A misread 1580 → 1880 is plausible enough (38 m³/day of 50) to be accepted.
        let wrong = try store.decide(request("01880", image: "p1", at: day(10)), validator: validator)
        #expect(wrong.status == .accepted)
        // The next correct photos are lower than the wrong reference.
        let second = try store.decide(request("01590", image: "p2", at: day(11)), validator: validator)
        #expect(second.status == .review)
        #expect(second.reasons.map(\.code) == [.decrease])
        #expect(try store.meter(number: "12345678")?.reference?.value.description == "1880")
        let third = try store.decide(request("01600", image: "p3", at: day(12)), validator: validator)
        #expect(third.status == .accepted)
        #expect(third.enqueued == [second.readingID, third.readingID])
        #expect(try store.meter(number: "12345678")?.reference?.value.description == "1600")
        #expect(try store.reading(id: second.readingID)?.status == .accepted)
        #expect(try store.openReviews().isEmpty)
        // And from then on readings are accepted normally.
        let fourth = try store.decide(request("01610", image: "p4", at: day(13)), validator: validator)
        #expect(fourth.status == .accepted)
        #expect(try store.queueCounts().pending == 4)
    }

    @Test(arguments: Backend.available) func aSingleImplausibleReadingNeverMovesTheReference(backend: Backend) throws {
        let state = StateDirectory(backend)
        let store = try state.open()
        _ = try store.importMeters([water()])
        let low = try store.decide(request("01400", image: "p1", at: day(1)), validator: validator)
        #expect(low.status == .review)
        #expect(try store.meter(number: "12345678")?.reference?.value.description == "1500")
        #expect(try store.decide(request("01510", image: "p2", at: day(2)), validator: validator).status == .accepted)
        // 1400 is now older than the reference: a later 1410 must not confirm it.
        let stale = try store.decide(request("01410", image: "p3", at: day(3)), validator: validator)
        #expect(stale.status == .review)
        #expect(stale.enqueued.isEmpty)
    }

    @Test(arguments: Backend.available) func identifiesTheMeterFromCaptionOrSender(backend: Backend) throws {
        let state = StateDirectory(backend)
        let store = try state.open()
        _ = try store.importMeters([water("11112222", senders: ["alice"]), water("33334444", senders: ["bob", "alice"]), water("55556666", senders: ["bob"])])
        let byCaption = try store.decide(
            request("01510", image: "c", at: day(1), meter: nil, caption: "Zähler 55556666, Stand heute"), validator: validator)
        #expect(byCaption.meterNumber == "55556666")
        // alice has two meters: not enough to choose.
        let ambiguous = try store.decide(request("01510", image: "s", at: day(1), meter: nil, sender: "alice"), validator: validator)
        #expect(ambiguous.status == .review)
        #expect(ambiguous.reasons.map(\.code) == [.unknownMeter])
        _ = try store.importMeters([water("33334444", senders: ["bob"])])
        let bySender = try store.decide(request("01510", image: "s2", at: day(1), meter: nil, sender: "alice"), validator: validator)
        #expect(bySender.meterNumber == "11112222")
        #expect(bySender.status == .accepted)
    }

    @Test(arguments: Backend.available) func clerkCorrectsAcceptsAndRejects(backend: Backend) throws {
        let state = StateDirectory(backend)
        let store = try state.open()
        _ = try store.importMeters([water()])
        let unsure = try store.decide(request("01520", image: "u", at: day(1), status: .review), validator: validator)
        let unknown = try store.decide(request("01530", image: "x", at: day(2), meter: nil), validator: validator)
        let junk = try store.decide(request("01540", image: "j", at: day(3), status: .review), validator: validator)
        #expect(try store.openReviews().map(\.readingID) == [unsure.readingID, unknown.readingID, junk.readingID])

        let corrected = try store.resolve(
            id: String(unsure.readingID.prefix(30)), action: .correct(MeterValue(parsing: "1521.5")!), meterNumber: nil,
            at: day(4))
        #expect(corrected.status == .accepted)
        #expect(corrected.value == "1521.50")
        #expect(try store.meter(number: "12345678")?.reference?.value.description == "1521.5")

        #expect(throws: StoreError.self) { try store.resolve(id: unknown.readingID, action: .accept, meterNumber: nil, at: day(4)) }
        let assigned = try store.resolve(id: unknown.readingID, action: .accept, meterNumber: "12345678", at: day(4))
        #expect(assigned.meterNumber == "12345678")

        let rejected = try store.resolve(id: junk.readingID, action: .reject, meterNumber: nil, at: day(4))
        #expect(rejected.status == .rejected)
        #expect(try store.openReviews().isEmpty)
        #expect(throws: StoreError.self) { try store.resolve(id: junk.readingID, action: .accept, meterNumber: nil, at: day(5)) }
        #expect(try store.queueCounts().pending == 2)
    }
}

@Suite struct OutboxTests {
    func storeWithReadings(_ count: Int, meters: [String] = ["12345678"], backend: Backend) throws
        -> (StateDirectory, any ReadingStore)
    {
        let state = StateDirectory(backend)
        let store = try state.open()
        _ = try store.importMeters(meters.map { water($0) })
        for index in 0..<count {
            for meter in meters {
                let value = String(format: "%05d", 1501 + index)
                _ = try store.decide(request(value, image: "\(meter)-\(index)", at: day(Double(index + 1)), meter: meter), validator: validator)
            }
        }
        return (state, store)
    }

    @Test(arguments: Backend.available) func deliversInOrderPerMeterAndHidesWhatIsInFlight(backend: Backend) throws {
        let (state, store) = try storeWithReadings(3, meters: ["A", "B"], backend: backend)
        _ = state
        let first = try store.claim(limit: 10, visibility: 30, now: afterNow)
        // Only the oldest message of each meter: the next waits until it is delivered.
        #expect(first.map(\.meterNumber) == ["A", "B"])
        #expect(try store.claim(limit: 10, visibility: 30, now: afterNow).isEmpty)
        try store.markDelivered(first[0].sequence, at: afterNow)
        let next = try store.claim(limit: 10, visibility: 30, now: afterNow)
        #expect(next.map(\.meterNumber) == ["A"])
        #expect(next[0].sequence > first[0].sequence)
    }

    @Test(arguments: Backend.available) func anUnacknowledgedMessageComesBackAfterTheVisibilityTimeout(backend: Backend) throws {
        let (state, store) = try storeWithReadings(1, backend: backend)
        _ = state
        let claimed = try store.claim(limit: 1, visibility: 30, now: afterNow)
        #expect(try store.claim(limit: 1, visibility: 30, now: afterNow.addingTimeInterval(29)).isEmpty)
        let again = try store.claim(limit: 1, visibility: 30, now: afterNow.addingTimeInterval(31))
        #expect(again.map(\.readingID) == claimed.map(\.readingID))
        #expect(again[0].deliveryCount == 2)
    }

    @Test(arguments: Backend.available) func failuresRetryThenDeadLetterWithoutBlockingTheMeter(backend: Backend) throws {
        let (state, store) = try storeWithReadings(2, backend: backend)
        _ = state
        var now = afterNow
        for attempt in 1...3 {
            let claimed = try store.claim(limit: 1, visibility: 30, now: now)
            #expect(claimed.count == 1)
            #expect(claimed[0].deliveryCount == attempt)
            try store.markFailed(claimed[0].sequence, error: "HTTP 503", permanent: false, retryAfter: 5, maxDeliveries: 3, now: now)
            now = now.addingTimeInterval(6)
        }
        #expect(try store.queueCounts() == QueueCounts(pending: 1, delivered: 0, dead: 1))
        let next = try store.claim(limit: 1, visibility: 30, now: now)
        try store.markFailed(next[0].sequence, error: "HTTP 400", permanent: true, retryAfter: 5, maxDeliveries: 3, now: now)
        #expect(try store.queueCounts() == QueueCounts(pending: 0, delivered: 0, dead: 2))
    }
}

@Suite struct StoreFailureTests {
    @Test func refusesADatabaseFromANewerMeterScan() throws {
        let state = StateDirectory()
        _ = try state.open()
        let database = state.path + "/" + SQLiteStore.fileName
        let result = shell("sqlite3 '\(database)' \"INSERT INTO grdb_migrations VALUES ('v99: from the future')\"")
        #expect(result == 0)
        #expect(throws: StoreError.newerSchema(path: database)) { try state.open() }
    }

    @Test func reportsACorruptDatabase() throws {
        let state = StateDirectory()
        try FileManager.default.createDirectory(atPath: state.path, withIntermediateDirectories: true)
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: state.path + "/" + SQLiteStore.fileName))
        do {
            _ = try state.open()
            Issue.record("a corrupt file opened")
        } catch let error as StoreError {
            guard case .corrupt = error else { Issue.record("wrong error: \(error)"); return }
            #expect(error.exitCode == 2)
        }
    }

    @Test func reportsAStateDirectoryThatCannotBeCreated() throws {
        let state = StateDirectory()
        try Data("a file".utf8).write(to: URL(fileURLWithPath: state.path))
        #expect(throws: StoreError.self) { try SQLiteStore(directory: state.path + "/state") }
        try? FileManager.default.removeItem(atPath: state.path)
    }

    @Test func waitsForAnotherWriterThenReportsBusy() throws {
        let state = StateDirectory()
        let store = try state.open()
        _ = try store.importMeters([water()])
        // Another connection holds the write lock longer than the busy timeout.
        let blocker = try SQLiteStore(directory: state.path, busyTimeout: 0.2)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "(echo 'BEGIN IMMEDIATE;'; sleep 2; echo 'COMMIT;') | sqlite3 '\(state.path)/\(SQLiteStore.fileName)'"]
        try holder.run()
        Thread.sleep(forTimeInterval: 0.5)
        do {
            _ = try blocker.decide(request("01510", image: "b", at: day(1)), validator: validator)
            Issue.record("wrote through another writer's lock")
        } catch {
            #expect(error.exitCode == 75)
        }
        holder.waitUntilExit()
    }
}

@discardableResult
func shell(_ command: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    try? process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
