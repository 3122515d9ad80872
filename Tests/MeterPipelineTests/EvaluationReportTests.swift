import Testing
import MeterReading
@testable import MeterPipeline

/// The evaluation report's tally of review reasons.
@Suite("Evaluation report")
struct EvaluationReportTests {
    func label(_ integer: String, unreadable: Bool = false) -> LabelledPhoto {
        LabelledPhoto(
            path: "p.jpg", reading: unreadable ? "UNREADABLE" : integer, integer: integer, fraction: "",
            style: "drum", tags: [], split: "test")
    }

    func result(_ integer: String, _ status: ReadingStatus, _ messages: [String]) -> ReadResult {
        let reasons = messages.map { Reason(.lowConfidence, $0) }
        return ReadResult(
            file: "p.jpg", id: nil, status: status,
            reading: ReadResult.Reading(value: integer, integer: integer, fraction: nil, unit: nil), meter: nil,
            confidence: 0.9, digits: [], reasons: reasons,
            reply: ReplyComposer.reply(status: status, reading: nil, unit: nil, reasons: reasons), timings: [:])
    }

    /// Each review reason counts the right readings it held back and the wrong ones it caught,
    /// once per photo, with its numbers written "N"; accepted and rejected photos do not count.
    @Test func reviewReasonsTallyRightAndWrongReadings() {
        var report = EvaluationReport()
        let unsure = "uncertain integer digit at position 2, 5"
        report.add(label("01234"), result("01234", .review, [unsure, "uncertain integer digit at position 3"]))
        report.add(label("01234"), result("01284", .review, ["uncertain integer digit at position 4"]))
        report.add(label("01234"), result("0123", .review, ["unusual counter layout: 4 integer and 0 fraction digits"]))
        report.add(label("", unreadable: true), result("111", .review, ["uncertain integer digit at position 1"]))
        report.add(label("01234"), result("01234", .accepted, []))
        report.add(label("01234"), result("01234", .rejected, ["the counter runs into the edge of the photo"]))
        #expect(report.reviewReasons.count == 2)
        #expect(report.reviewReasons["uncertain integer digit at position N"] == .init(right: 1, wrong: 2))
        #expect(report.reviewReasons["unusual counter layout: N integer and N fraction digits"] == .init(right: 0, wrong: 1))
    }
}
