import Foundation
import MeterQueue
import MeterQueuePostgres
import MeterReading
import Synchronization
import Testing

/// What only a shared database has to get right: several processes (here: several stores,
/// each with its own connection pool) deciding and delivering at once.
@Suite(.enabled(if: TestPostgres.serverURL != nil, "needs METERSCAN_TEST_POSTGRES_URL (scripts/with-postgres.sh)"))
struct PostgresStoreTests {
    func twoWorkers() throws -> (PostgresStore, PostgresStore, String) {
        let url = try TestPostgres.freshDatabase()
        let first = try PostgresStore(location: PostgresLocation(url: url))
        let second = try PostgresStore(location: PostgresLocation(url: url))
        return (first, second, url)
    }

    @Test func twoWorkersGivenTheSamePhotosDecideEachOnceAndLoseNoUpdate() throws {
        let (first, second, _) = try twoWorkers()
        _ = try first.importMeters([water("A", maxPerDay: nil), water("B", maxPerDay: nil)])
        let photos = (0..<40).map { index in
            request(
                String(format: "%05d", 1501 + index), image: "photo-\(index)", at: day(Double(index + 1)),
                meter: index.isMultiple(of: 2) ? "A" : "B")
        }
        let decisions = Mutex<[String: Set<String>]>([:])
        let failures = Mutex<[String]>([])
        // Each photo goes to both workers, in an order of their own, at the same time.
        DispatchQueue.concurrentPerform(iterations: 4) { lane in
            let store = lane < 2 ? first : second
            let order = lane.isMultiple(of: 2) ? Array(photos.indices) : photos.indices.reversed()
            for index in order {
                do {
                    let decision = try store.decide(photos[index], validator: validator)
                    _ = decisions.withLock { $0[photos[index].imageSHA256, default: []].insert(decision.readingID) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let byPhoto = decisions.withLock { $0 }
        #expect(byPhoto.count == 40)
        #expect(byPhoto.values.allSatisfy { $0.count == 1 })
        // The reference is the newest accepted reading of each meter: no decision overwrote
        // another's history.
        var enqueued = 0
        for meter in ["A", "B"] {
            let history = try first.readings(ofMeter: meter, limit: 100)
            #expect(history.count == 20)
            let accepted = history.filter { $0.status == .accepted }
            enqueued += accepted.count
            let newest = try #require(accepted.max { $0.receivedAt < $1.receivedAt })
            #expect(try first.meter(number: meter)?.reference?.readingID == newest.readingID)
        }
        #expect(try first.queueCounts().pending == enqueued)
    }

    @Test func twoConsumersClaimEachMessageOnceAndInOrderPerMeter() throws {
        let (first, second, _) = try twoWorkers()
        let meters = ["M1", "M2", "M3", "M4", "M5"]
        _ = try first.importMeters(meters.map { water($0) })
        for index in 0..<6 {
            for meter in meters {
                let value = String(format: "%05d", 1501 + index)
                _ = try first.decide(
                    request(value, image: "\(meter)-\(index)", at: day(Double(index + 1)), meter: meter),
                    validator: validator)
            }
        }
        let delivered = Mutex<[OutboxMessage]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            let store = lane == 0 ? first : second
            var idleRounds = 0
            while idleRounds < 20 {
                let claimed = (try? store.claim(limit: 3, visibility: 60, now: afterNow)) ?? []
                if claimed.isEmpty {
                    idleRounds += 1
                    Thread.sleep(forTimeInterval: 0.01)
                    continue
                }
                idleRounds = 0
                for message in claimed {
                    delivered.withLock { $0.append(message) }
                    try? store.markDelivered(message.sequence, at: afterNow)
                }
            }
        }
        let all = delivered.withLock { $0 }
        #expect(all.count == 30)
        #expect(Set(all.map(\.readingID)).count == 30)
        for meter in meters {
            let sequence = all.filter { $0.meterNumber == meter }.map(\.sequence)
            #expect(sequence == sequence.sorted())
        }
        #expect(try first.queueCounts() == QueueCounts(pending: 0, delivered: 30, dead: 0))
    }

    @Test func anEnqueueWakesAnIdleConsumerOnAnotherConnection() throws {
        let (consumer, worker, _) = try twoWorkers()
        _ = try worker.importMeters([water()])
        consumer.waitForMessages(timeout: 0.01)  // sets up the listener
        let woken = Mutex<Bool?>(nil)
        let waiter = Thread { woken.withLock { $0 = consumer.waitForMessages(timeout: 60) } }
        waiter.start()
        _ = try worker.decide(request("01510", image: "n", at: day(1)), validator: validator)
        while woken.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.01) }
        // Ended by the notification, not by the timeout.
        #expect(woken.withLock { $0 } == true)
    }

    @Test func auditCropsLiveInTheDatabaseUntilPurged() throws {
        let (first, second, _) = try twoWorkers()
        _ = try first.importMeters([water()])
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]
        let reference = storedCropPrefix + "abc"
        var withCrop = request("01510", image: "abc", at: day(1))
        (withCrop.auditPath, withCrop.auditPNG) = (reference, png)
        #expect(first.keepsAuditCrops)
        _ = try first.decide(withCrop, validator: validator)
        #expect(try second.auditCrop(reference) == png)
        #expect(try second.reading(id: try #require(second.readings(ofMeter: "12345678", limit: 1).first).readingID)?.auditPath == reference)
        #expect(try second.auditCrop("/some/file.png") == nil)
        try second.forgetAuditCrops([reference])
        #expect(try first.auditCrop(reference) == nil)
    }

    @Test func aHostWithAnotherSenderKeyIsRefused() throws {
        let (first, second, _) = try twoWorkers()
        try first.adoptSenderKey(fingerprint: "k1")
        try second.adoptSenderKey(fingerprint: "k1")
        #expect(throws: StoreError.senderKeyMismatch(store: second.location.description)) {
            try second.adoptSenderKey(fingerprint: "k2")
        }
    }

    @Test func refusesADatabaseFromANewerMeterScan() throws {
        let (_, _, url) = try twoWorkers()
        try TestPostgres.psql("INSERT INTO meterscan_migrations (version, name) VALUES (999, 'future')", url: url)
        #expect(throws: StoreError.newerSchema(path: try PostgresLocation(url: url).description)) {
            _ = try PostgresStore(location: PostgresLocation(url: url))
        }
    }
}

@Suite struct PostgresLocationTests {
    @Test func parsesURLsAndHidesThePassword() throws {
        let location = try PostgresLocation(url: "postgres://meter:s3cr%40t@db.example:6543/readings?pool=4")
        #expect(location.user == "meter")
        #expect(location.password == "s3cr@t")
        #expect(location.host == "db.example")
        #expect(location.port == 6543)
        #expect(location.database == "readings")
        #expect(location.poolSize == 4)
        #expect(location.description == "postgres://meter@db.example:6543/readings")
        let socket = try PostgresLocation(url: "postgresql://meter@/readings?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql")
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "mysql://x/y") }
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgres://x@h/db?sslmode=maybe") }
    }

    @Test func anUnreachableServerIsAClearError() throws {
        do {
            _ = try PostgresStore(location: PostgresLocation(url: "postgres://nobody@127.0.0.1:1/none"))
            Issue.record("connected to port 1")
        } catch let error as StoreError {
            #expect(error.description.contains("127.0.0.1:1"))
            #expect(error.exitCode == 2)
        }
    }
}
