import Foundation
import MeterReading
import Testing

/// A confident recognition of `integer` (and `fraction`).
private func confident(_ integer: String, _ fraction: String? = nil) -> RecognizedReading {
    RecognizedReading(integer: integer, fraction: fraction, status: .accepted, reasons: [])
}

private let day0 = Date(timeIntervalSince1970: 1_780_000_000)
private func day(_ n: Double) -> Date { day0.addingTimeInterval(n * 86_400) }

private func waterMeter(reference: String? = "01500", at date: Date = day0, maxPerDay: Double? = 2) -> Meter {
    Meter(
        number: "12345678", medium: .water, unit: "m3", obis: "8-0:1.0.0", integerDigits: 5,
        fractionDigits: 3, maxPerDay: maxPerDay,
        reference: reference.map { ConfirmedReading(value: MeterValue(parsing: $0)!, readAt: date) })
}

private func codes(_ verdict: Verdict) -> [String] { verdict.reasons.map(\.code.rawValue) }

@Suite struct MeterValueTests {
    @Test func parsesAndFormatsExactly() {
        let value = MeterValue(integer: "01189", fraction: "27")!
        #expect(value.description == "1189.27")
        #expect(value.formatted(fractionDigits: 3) == "1189.270")
        #expect(value.formatted(fractionDigits: 0) == "1189")
        #expect(MeterValue(parsing: "1189,27") == value)
        #expect(MeterValue(parsing: " 1500 ")?.description == "1500")
    }

    @Test(arguments: ["", "12a4", "1.2.3", "?123", "١٢٣", "123456789012345"])
    func refusesNonDigits(_ text: String) {
        #expect(MeterValue(parsing: text) == nil)
    }

    @Test func formatsTruncatingNeverRoundingUp() {
        #expect(MeterValue(parsing: "99.9999")!.formatted(fractionDigits: 2) == "99.99")
    }
}

@Suite struct ReadingValidatorTests {
    let validator = ReadingValidator()

    func validate(_ reading: RecognizedReading, _ meter: Meter?, at date: Date = day(10), pending: [PendingReading] = [],
                  sender: String? = nil, image: String = "img") -> Verdict {
        validator.validate(
            reading, in: ValidationContext(meter: meter, pending: pending, sender: sender, readAt: date, imageSHA256: image))
    }

    @Test func plausibleReadingIsAcceptedAndBecomesReference() {
        let verdict = validate(confident("01510", "250"), waterMeter())
        #expect(verdict.status == .accepted)
        #expect(verdict.reasons.isEmpty)
        #expect(verdict.becomesReference)
        #expect(verdict.value?.description == "1510.25")
    }

    @Test func firstReadingOfAMeterWithoutHistoryIsAccepted() {
        let verdict = validate(confident("00042"), waterMeter(reference: nil))
        #expect(verdict.status == .accepted)
        #expect(verdict.becomesReference)
    }

    @Test func unknownMeterGoesToReview() {
        let verdict = validate(confident("01510"), nil)
        #expect(verdict.status == .review)
        #expect(codes(verdict) == ["unknown_meter"])
        #expect(!verdict.becomesReference)
    }

    @Test func rejectedRecognitionStaysRejected() {
        let reading = RecognizedReading(
            integer: "", fraction: nil, status: .rejected, reasons: [Reason(.blurred, "blurred")])
        let verdict = validate(reading, waterMeter())
        #expect(verdict.status == .rejected)
        #expect(codes(verdict) == ["blurred"])
    }

    @Test func uncertainRecognitionGoesToReviewEvenWhenPlausible() {
        let reading = RecognizedReading(
            integer: "01510", fraction: nil, status: .review, reasons: [Reason(.lowConfidence, "digit 2")])
        let verdict = validate(reading, waterMeter())
        #expect(verdict.status == .review)
        #expect(!verdict.becomesReference)
        #expect(!verdict.awaitsConfirmation)
    }

    @Test(arguments: [("1510", nil), ("001510", nil), ("01510", "2500")] as [(String, String?)])
    func wrongDigitCountIsNeverPaddedOrAccepted(_ integer: String, _ fraction: String?) {
        let verdict = validate(confident(integer, fraction), waterMeter())
        #expect(verdict.status == .review)
        #expect(codes(verdict).contains("digit_count"))
    }

    /// A reading held back by recognition only for its layout (four integer digits: one may
    /// have been missed) is accepted for a meter registered with exactly that layout, and stays
    /// with a clerk for a meter registered otherwise, without one, or with other doubts.
    @Test func registeredLayoutClearsAnUnusualLayout() {
        let layout = Reason(.unusualLayout, "unusual counter layout: 4 integer and 2 fraction digits")
        let fourDigits = RecognizedReading(integer: "1510", fraction: "25", status: .review, reasons: [layout])
        var meter = waterMeter(reference: "1500")
        meter.integerDigits = 4
        let verdict = validate(fourDigits, meter)
        #expect(verdict.status == .accepted && verdict.reasons.isEmpty && verdict.becomesReference)
        meter.fractionDigits = 1
        #expect(validate(fourDigits, meter).status == .review)
        #expect(validate(fourDigits, waterMeter()).status == .review)
        meter.integerDigits = nil
        #expect(validate(fourDigits, meter).status == .review)
        var doubtful = fourDigits
        doubtful.reasons.append(Reason(.lowConfidence, "uncertain integer digit at position 2"))
        meter.integerDigits = 4
        meter.fractionDigits = 3
        #expect(validate(doubtful, meter).status == .review)
    }

    @Test func fewerFractionDigitsThanTheMeterIsFine() {
        #expect(validate(confident("01510", "2"), waterMeter()).status == .accepted)
    }

    @Test func decreaseGoesToReviewAndAwaitsConfirmation() {
        let verdict = validate(confident("01490"), waterMeter())
        #expect(verdict.status == .review)
        #expect(codes(verdict) == ["decrease"])
        #expect(verdict.awaitsConfirmation)
        #expect(!verdict.becomesReference)
    }

    @Test func rolloverIsAcceptedAndFlagged() {
        let meter = waterMeter(reference: "99990", maxPerDay: 5)
        let verdict = validate(confident("00012"), meter, at: day(10))
        #expect(verdict.status == .accepted)
        #expect(codes(verdict) == ["rollover"])
        #expect(verdict.becomesReference)
    }

    @Test func rolloverStillObeysTheRate() {
        let meter = waterMeter(reference: "99990", maxPerDay: 1)
        let verdict = validate(confident("20000"), meter, at: day(10))
        #expect(verdict.status == .review)
        #expect(codes(verdict) == ["decrease"])
        let fast = validate(confident("00500"), meter, at: day(10))
        #expect(codes(fast) == ["rate_too_high"])
    }

    @Test func consumptionAboveTheMaximumRateGoesToReview() {
        // 2 m³/day over 10 days allows 20 m³.
        #expect(validate(confident("01520"), waterMeter()).status == .accepted)
        let verdict = validate(confident("01521"), waterMeter())
        #expect(verdict.status == .review)
        #expect(codes(verdict) == ["rate_too_high"])
        #expect(verdict.awaitsConfirmation)
    }

    @Test func twoPhotosOnTheSameDayAreHeldToADaysMaximum() {
        #expect(validate(confident("01501"), waterMeter(), at: day0.addingTimeInterval(600)).status == .accepted)
    }

    @Test func unregisteredSenderGoesToReview() {
        var meter = waterMeter()
        meter.senders = ["hash-a"]
        #expect(validate(confident("01510"), meter, sender: "hash-a").status == .accepted)
        let verdict = validate(confident("01510"), meter, sender: "hash-b")
        #expect(verdict.status == .review)
        #expect(codes(verdict) == ["unregistered_sender"])
    }

    /// The failure users of today's readers report most: a wrong reference makes every correct
    /// reading after it fail. A second independent photo that agrees with the first confirms both.
    @Test func recoversFromAWrongReference() {
        let meter = waterMeter(reference: "05100")  // a wrong value someone typed in
        let first = validate(confident("01510"), meter, at: day(10), image: "photo-1")
        #expect(first.status == .review)
        #expect(first.awaitsConfirmation)
        let pending = PendingReading(readingID: "r1", value: first.value!, readAt: day(10), imageSHA256: "photo-1")
        let second = validate(confident("01514"), meter, at: day(12), pending: [pending], image: "photo-2")
        #expect(second.status == .accepted)
        #expect(second.becomesReference)
        #expect(second.confirms.map(\.readingID) == ["r1"])
        #expect(codes(second).contains("confirmed_by_newer_reading"))
    }

    @Test func theSamePhotoNeverConfirmsItself() {
        let meter = waterMeter(reference: "05100")
        let pending = PendingReading(readingID: "r1", value: MeterValue(units: 1510), readAt: day(10), imageSHA256: "photo-1")
        let again = validate(confident("01510"), meter, at: day(11), pending: [pending], image: "photo-1")
        #expect(again.status == .review)
        #expect(again.confirms.isEmpty)
    }

    @Test func disagreeingPendingReadingsConfirmNothing() {
        let meter = waterMeter(reference: "05100")
        // Lower than the pending one, or too far above it for the time between.
        let pending = PendingReading(readingID: "r1", value: MeterValue(units: 1510), readAt: day(10), imageSHA256: "p1")
        #expect(validate(confident("01500"), meter, at: day(11), pending: [pending]).status == .review)
        #expect(validate(confident("01600"), meter, at: day(11), pending: [pending]).status == .review)
    }

    @Test func pendingReadingsOlderThanTheReferenceAreStale() {
        let meter = waterMeter(reference: "01500", at: day(20))
        let stale = PendingReading(readingID: "r1", value: MeterValue(units: 1300), readAt: day(10), imageSHA256: "p1")
        let verdict = validate(confident("01310"), meter, at: day(21), pending: [stale])
        #expect(verdict.status == .review)
        #expect(verdict.confirms.isEmpty)
    }
}
