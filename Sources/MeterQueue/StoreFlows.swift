public import Foundation
package import MeterReading

/// The store's decisions, written once over `StoreTransaction` and run by every backend
/// inside one of its transactions.
extension StoreTransaction {
    /// Adds or updates meters. An imported last reading becomes the reference only when it is
    /// newer than the one the store already has.
    package func importMeters(_ meters: [Meter]) throws -> ImportSummary {
        var summary = ImportSummary(added: 0, updated: 0)
        let now = Date()
        for meter in meters {
            let existing = try self.meter(number: meter.number, lock: true)
            try upsertMeter(meter, at: now)
            try replaceSenders(Set(meter.senders), ofMeter: meter.number)
            if let reference = meter.reference, existing?.reference.map({ $0.readAt < reference.readAt }) ?? true {
                try setReference(reference, ofMeter: meter.number)
            }
            if existing == nil { summary.added += 1 } else { summary.updated += 1 }
        }
        return summary
    }

    /// Identifies the meter, validates with its locked history, records the decision and
    /// enqueues what is accepted. A photo decided before for the same meter returns that decision.
    package func decide(_ request: DecisionRequest, validator: ReadingValidator) throws -> StoredDecision {
        let number = try identify(request)
        // Locked before the history is read: a second worker with a reading of this meter
        // waits here and then sees this decision.
        let meter = try number.flatMap { try self.meter(number: $0, lock: true) }
        if let existing = try reading(imageSHA256: request.imageSHA256, meterKey: number ?? "") {
            return StoredDecision(
                readingID: existing.readingID, status: existing.status,
                reasons: existing.reasons + [Reason(.duplicatePhoto, "this photo was received before; its decision stands")],
                meter: meter, meterNumber: number, value: existing.value, isRepeat: true, enqueued: [])
        }
        let pending = try meter.map { try pendingReadings(ofMeter: $0.number) } ?? []
        let context = ValidationContext(
            meter: meter, pending: pending, sender: request.senderRef, readAt: request.receivedAt,
            imageSHA256: request.imageSHA256)
        let verdict = validator.validate(request.recognized, in: context)
        let readingID = ReadingID.make()
        let fractionDigits = meter?.fractionDigits ?? request.recognized.fraction?.count ?? 0
        let value = verdict.value?.formatted(fractionDigits: fractionDigits)
        let now = Date()
        try insert(
            NewReading(
                readingID: readingID, imageSHA256: request.imageSHA256, meterKey: number ?? "", meterNumber: number,
                status: verdict.status, awaitsConfirmation: verdict.awaitsConfirmation, value: value,
                integerDigits: request.recognized.integer, fractionDigits: request.recognized.fraction,
                confidence: request.confidence, reasonsJSON: try storeJSON(verdict.reasons),
                evidenceJSON: request.evidenceJSON, receivedAt: request.receivedAt, decidedAt: now,
                channel: request.channel, messageID: request.messageID, senderRef: request.senderRef,
                source: request.source, auditPath: request.auditPath))
        var enqueued: [String] = []
        if verdict.status == .accepted, let meter {
            for confirmed in verdict.confirms {
                if let earlier = try reading(idOrPrefix: confirmed.readingID) {
                    try update(
                        readingID: earlier.readingID, status: .accepted, reviewState: "confirmed", meterNumber: nil,
                        value: nil,
                        reasons: earlier.reasons
                            + [Reason(.confirmedByNewerReading, "confirmed by the newer reading \(readingID)")],
                        at: now)
                }
                try enqueue(confirmed.readingID, meter: meter, status: "accepted", at: now)
                enqueued.append(confirmed.readingID)
            }
            try enqueue(readingID, meter: meter, status: "accepted", at: now)
            enqueued.append(readingID)
            if verdict.becomesReference, let readingValue = verdict.value {
                try moveReference(
                    to: ConfirmedReading(value: readingValue, readAt: request.receivedAt, readingID: readingID), of: meter)
            }
        }
        return StoredDecision(
            readingID: readingID, status: verdict.status, reasons: verdict.reasons, meter: meter, meterNumber: number,
            value: value, isRepeat: false, enqueued: enqueued)
    }

    /// Applies a clerk's decision to a reading in review. Accepting or correcting needs a
    /// registered meter (`meterNumber` assigns one to a photo that had none), enqueues the
    /// reading and makes it the reference unless a newer one exists.
    package func resolve(id: String, action: ClerkAction, meterNumber: String?, at date: Date) throws -> ReadingRecord {
        guard let record = try reading(idOrPrefix: id) else { throw StoreError.invalid("no reading \(id)") }
        guard record.reviewState == "open" else {
            throw StoreError.invalid(
                "reading \(record.readingID) is not waiting for review (it is \(record.status.rawValue))")
        }
        switch action {
        case .reject:
            try update(
                readingID: record.readingID, status: .rejected, reviewState: "rejected", meterNumber: nil, value: nil,
                reasons: record.reasons + [Reason(.clerkDecision, "rejected by a clerk")], at: date)
        case .accept, .correct:
            guard let number = meterNumber ?? record.meterNumber, let meter = try self.meter(number: number, lock: true)
            else {
                throw StoreError.invalid("reading \(record.readingID) has no registered meter; give one with --meter")
            }
            let value: MeterValue
            let state: String
            let reason: Reason
            if case .correct(let corrected) = action {
                (value, state) = (corrected, "corrected")
                reason = Reason(.clerkDecision, "corrected by a clerk to \(corrected)")
            } else {
                guard let text = record.value, let read = MeterValue(parsing: text) else {
                    throw StoreError.invalid(
                        "reading \(record.readingID) has unreadable digits; use `review correct` with the value")
                }
                (value, state) = (read, "accepted")
                reason = Reason(.clerkDecision, "accepted by a clerk")
            }
            try update(
                readingID: record.readingID, status: .accepted, reviewState: state, meterNumber: meter.number,
                value: value.formatted(fractionDigits: meter.fractionDigits ?? 0), reasons: record.reasons + [reason],
                at: date)
            try enqueue(record.readingID, meter: meter, status: state, at: date)
            try moveReference(
                to: ConfirmedReading(value: value, readAt: record.receivedAt, readingID: record.readingID), of: meter)
        }
        guard let updated = try reading(idOrPrefix: record.readingID) else {
            throw StoreError.invalid("reading \(record.readingID) vanished")
        }
        return updated
    }

    /// The meter a photo shows: the number given with it; else a registered meter number in
    /// the caption; else the sender's meter when the sender has registered exactly one.
    func identify(_ request: DecisionRequest) throws -> String? {
        if let given = request.meterNumber?.trimmingCharacters(in: .whitespaces), !given.isEmpty { return given }
        if let caption = request.caption {
            for token in MeterNumberTokens.candidates(in: caption) where try meter(number: token, lock: false) != nil {
                return token
            }
        }
        if let sender = request.senderRef {
            let numbers = try meterNumbers(ofSender: sender)
            if numbers.count == 1 { return numbers[0] }
        }
        return nil
    }

    /// Makes `reference` the meter's reference unless the meter already has a newer one.
    func moveReference(to reference: ConfirmedReading, of meter: Meter) throws {
        if let current = meter.reference, current.readAt > reference.readAt { return }
        try setReference(reference, ofMeter: meter.number)
    }

    /// Writes the outbox message for an accepted reading, built from the stored reading.
    func enqueue(_ readingID: String, meter: Meter, status: String, at date: Date) throws {
        guard let reading = try reading(idOrPrefix: readingID) else { return }
        let record = DeliveryRecord(
            readingID: readingID, meterNumber: meter.number, obis: meter.obis, value: reading.value ?? "",
            unit: meter.unit, readAt: isoTimestamp(reading.receivedAt), receivedAt: isoTimestamp(reading.receivedAt),
            reason: "customer_self_reading", status: status, confidence: reading.confidence, channel: reading.channel,
            messageID: reading.messageID, senderRef: reading.senderRef, imageSHA256: reading.imageSHA256)
        try enqueue(readingID: readingID, meterNumber: meter.number, payload: try storeJSON(record), at: date)
    }
}

/// ISO 8601 in UTC with seconds, as billing importers expect (and listings show).
public func isoTimestamp(_ date: Date) -> String {
    date.formatted(.iso8601)
}

/// Meter-number-like tokens in free text (a caption such as "Zähler 12345678, Stand vom 1.3.").
enum MeterNumberTokens {
    /// Runs of letters, digits and '-' with at least four digits, in order of appearance.
    static func candidates(in text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber || $0 == "-") }
            .map(String.init)
            .filter { $0.count(where: \.isNumber) >= 4 }
    }
}
