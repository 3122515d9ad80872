public import Foundation
import MeterQueue
public import MeterReading

/// What came with a photo besides its bytes: who sent it, for which meter, and when.
public struct Intake: Sendable {
    /// Meter number given with the photo (envelope field, `--meter`).
    public var meterNumber: String?
    /// Text sent with the photo.
    public var caption: String?
    /// Keyed hash of the sender (never the number itself).
    public var senderRef: String?
    /// Messenger channel, or "file".
    public var channel: String?
    /// The gateway's message id.
    public var messageID: String?
    /// When the photo was received.
    public var receivedAt: Date

    /// An intake record; everything but the time is optional.
    public init(
        meterNumber: String? = nil, caption: String? = nil, senderRef: String? = nil, channel: String? = nil,
        messageID: String? = nil, receivedAt: Date = Date()
    ) {
        self.meterNumber = meterNumber
        self.caption = caption
        self.senderRef = senderRef
        self.channel = channel
        self.messageID = messageID
        self.receivedAt = receivedAt
    }
}

/// The validate stage: ties a read photo to its meter, applies the reading rules in the store's
/// transaction, records the decision (enqueueing what is accepted) and rewrites the result's
/// status, reasons and reply to match. `read --state`, `batch` and `pipe` all go through here.
public struct ReadingRecorder: Sendable {
    /// The state the decisions go to.
    public let state: MeterState
    /// The rules.
    public var validator = ReadingValidator()
    /// Language of the reply written with the decision.
    public var language = ReplyLanguage.de

    /// A recorder writing to `state`.
    public init(state: MeterState) {
        self.state = state
    }

    /// Decides `outcome` and returns its final result. A photo that never reached the decoder
    /// (no bytes) is returned unchanged: there is nothing to decide.
    public func record(_ outcome: ReadOutcome, intake: Intake) throws(StateError) -> ReadResult {
        var result = outcome.result
        guard let imageSHA256 = outcome.imageSHA256 else { return result }
        let audit = try outcome.auditCrop.map { png throws(StateError) in
            try state.keepAuditCrop(png, imageSHA256: imageSHA256)
        }
        var request = DecisionRequest(
            imageSHA256: imageSHA256,
            recognized: RecognizedReading(
                integer: result.reading?.integer ?? "", fraction: result.reading?.fraction, status: result.status,
                reasons: result.reasons),
            confidence: result.confidence, receivedAt: intake.receivedAt, meterNumber: intake.meterNumber,
            caption: intake.caption, senderRef: intake.senderRef, channel: intake.channel,
            messageID: intake.messageID ?? result.id, source: result.file, auditPath: audit?.reference,
            evidenceJSON: Self.evidenceJSON(result.digits))
        request.auditPNG = audit?.bytesForStore
        let decision: StoredDecision
        do {
            decision = try state.store.decide(request, validator: validator)
        } catch {
            throw .store(error)
        }
        result.apply(decision, language: language)
        return result
    }

    private static func evidenceJSON(_ digits: [ReadResult.Digit]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(digits)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}

extension ReadResult {
    /// Takes over the store's decision: status, reasons, meter, unit and the reply.
    mutating func apply(_ decision: StoredDecision, language: ReplyLanguage) {
        readingID = decision.readingID
        status = decision.status
        reasons = decision.reasons
        meter = decision.meterNumber
        if let unit = decision.meter?.unit { reading?.unit = unit }
        recordedValue = decision.value
        composeReply(in: language)
    }
}
