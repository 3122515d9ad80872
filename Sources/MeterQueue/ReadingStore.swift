public import Foundation
public import MeterReading

/// One photo's recognition, with everything needed to tie it to a meter and decide it.
public struct DecisionRequest: Sendable {
    /// SHA-256 of the photo bytes (hex): the same photo sent twice is decided once.
    public var imageSHA256: String
    /// What recognition read.
    public var recognized: RecognizedReading
    /// Confidence of the reading, 0…1.
    public var confidence: Double
    /// Meter number given with the photo (envelope field or `--meter`), if any.
    public var meterNumber: String?
    /// Free text sent with the photo: a meter number in it identifies the meter.
    public var caption: String?
    /// Keyed hash of the sender, if the photo came from a messenger.
    public var senderRef: String?
    /// When the photo was received; the reading counts for this time.
    public var receivedAt: Date
    /// Messenger channel (signal, whatsapp, telegram, file, …).
    public var channel: String?
    /// The gateway's message id.
    public var messageID: String?
    /// The file the photo came from, if any.
    public var source: String?
    /// Path of the saved counter crop, for the clerk (or `store:<sha256>` when the store
    /// keeps it).
    public var auditPath: String?
    /// The counter crop (PNG) for a store that keeps crops itself: saved in the decision's
    /// transaction, so a photo costs one commit.
    public var auditPNG: [UInt8]?
    /// The per-digit evidence as JSON (kept with the decision for audits).
    public var evidenceJSON: String

    /// A request with the fields a reader always has; the rest default to nil.
    public init(
        imageSHA256: String, recognized: RecognizedReading, confidence: Double, receivedAt: Date,
        meterNumber: String? = nil, caption: String? = nil, senderRef: String? = nil, channel: String? = nil,
        messageID: String? = nil, source: String? = nil, auditPath: String? = nil, evidenceJSON: String = "[]"
    ) {
        self.imageSHA256 = imageSHA256
        self.recognized = recognized
        self.confidence = confidence
        self.receivedAt = receivedAt
        self.meterNumber = meterNumber
        self.caption = caption
        self.senderRef = senderRef
        self.channel = channel
        self.messageID = messageID
        self.source = source
        self.auditPath = auditPath
        self.evidenceJSON = evidenceJSON
    }
}

/// What the store decided for a photo (or had decided before, for a repeated photo).
public struct StoredDecision: Sendable, Hashable {
    /// The reading's id (UUIDv7), also the queue message's idempotency key.
    public var readingID: String
    /// The decision as it stands now (a clerk may have changed it since).
    public var status: ReadingStatus
    /// Every rule that fired.
    public var reasons: [Reason]
    /// The meter the photo was tied to, as registered, or nil.
    public var meter: Meter?
    /// The meter number given or found, even when it is not registered.
    public var meterNumber: String?
    /// The value as recorded, with the meter's fraction digits when known.
    public var value: String?
    /// The photo had been decided before; this is that decision.
    public var isRepeat: Bool
    /// Readings enqueued by this decision (earlier confirmed ones first, then this one).
    public var enqueued: [String]
}

/// A stored reading, as `review list` and `review show` present it.
public struct ReadingRecord: Sendable, Hashable, Codable {
    /// Reading id (UUIDv7).
    public var readingID: String
    /// Current status.
    public var status: ReadingStatus
    /// Open for a clerk, or how a clerk resolved it (accepted, corrected, rejected); nil if
    /// no clerk was needed.
    public var reviewState: String?
    /// Meter number, if known.
    public var meterNumber: String?
    /// Value recorded (after a correction, the corrected one).
    public var value: String?
    /// Confidence of the recognition.
    public var confidence: Double
    /// Rules that fired.
    public var reasons: [Reason]
    /// When the photo was received.
    public var receivedAt: Date
    /// When the decision was last changed.
    public var decidedAt: Date
    /// Content hash of the photo.
    public var imageSHA256: String
    /// Where the photo came from (file path), if known.
    public var source: String?
    /// The counter crop a clerk looks at.
    public var auditPath: String?
    /// Channel and gateway message id, if any.
    public var channel: String?
    /// The gateway's message id.
    public var messageID: String?
    /// Keyed hash of the sender, if the photo came from a messenger.
    public var senderRef: String?
    /// Per-digit evidence as JSON.
    public var evidenceJSON: String

    /// A record as a store backend reads it from its table.
    package init(
        readingID: String, status: ReadingStatus, reviewState: String?, meterNumber: String?, value: String?,
        confidence: Double, reasons: [Reason], receivedAt: Date, decidedAt: Date, imageSHA256: String,
        source: String?, auditPath: String?, channel: String?, messageID: String?, senderRef: String?,
        evidenceJSON: String
    ) {
        self.readingID = readingID
        self.status = status
        self.reviewState = reviewState
        self.meterNumber = meterNumber
        self.value = value
        self.confidence = confidence
        self.reasons = reasons
        self.receivedAt = receivedAt
        self.decidedAt = decidedAt
        self.imageSHA256 = imageSHA256
        self.source = source
        self.auditPath = auditPath
        self.channel = channel
        self.messageID = messageID
        self.senderRef = senderRef
        self.evidenceJSON = evidenceJSON
    }
}

/// What a clerk decides about a reading in review.
public enum ClerkAction: Sendable, Hashable {
    /// The value read is right.
    case accept
    /// The right value is this one.
    case correct(MeterValue)
    /// The photo cannot be used.
    case reject
}

/// A message in the outbox: one accepted reading on its way to billing.
public struct OutboxMessage: Sendable, Hashable {
    /// Position in the queue (orders messages of a meter).
    public var sequence: Int64
    /// Idempotency key.
    public var readingID: String
    /// The meter (delivery is in order per meter).
    public var meterNumber: String
    /// The delivery record as JSON.
    public var payload: String
    /// Deliveries tried so far, including this one.
    public var deliveryCount: Int

    /// A message as a store backend reads it from its outbox.
    package init(sequence: Int64, readingID: String, meterNumber: String, payload: String, deliveryCount: Int) {
        self.sequence = sequence
        self.readingID = readingID
        self.meterNumber = meterNumber
        self.payload = payload
        self.deliveryCount = deliveryCount
    }
}

/// Queue counts by state, for `consume` and status output.
public struct QueueCounts: Sendable, Hashable, Codable {
    /// Waiting or in flight.
    public var pending: Int
    /// Delivered.
    public var delivered: Int
    /// Gave up after too many failures or a permanent one.
    public var dead: Int

    /// Counts by state.
    public init(pending: Int, delivered: Int, dead: Int) {
        self.pending = pending
        self.delivered = delivered
        self.dead = dead
    }
}

/// Result of a registry import.
public struct ImportSummary: Sendable, Hashable {
    /// Meters not known before.
    public var added: Int
    /// Meters whose registry fields were replaced.
    public var updated: Int

    /// A summary of `added` new and `updated` known meters.
    public init(added: Int, updated: Int) {
        self.added = added
        self.updated = updated
    }
}

/// The registry, history, results and outbox behind one interface: `SQLiteStore` embedded,
/// `PostgresStore` (module MeterQueuePostgres) for several workers on one database.
public protocol ReadingStore: Sendable {
    /// Adds or updates meters, all or nothing.
    func importMeters(_ meters: [Meter]) throws(StoreError) -> ImportSummary
    /// Every meter, ordered by number.
    func meters() throws(StoreError) -> [Meter]
    /// One meter, or nil.
    func meter(number: String) throws(StoreError) -> Meter?
    /// Ties the photo to a meter, applies `validator` inside one transaction with the meter's
    /// reference and pending readings, records the decision and enqueues what is accepted.
    func decide(_ request: DecisionRequest, validator: ReadingValidator) throws(StoreError) -> StoredDecision
    /// Whether a photo with this content hash was decided before (for any meter).
    func hasDecision(imageSHA256: String) throws(StoreError) -> Bool
    /// Readings a clerk must decide, oldest first.
    func openReviews() throws(StoreError) -> [ReadingRecord]
    /// The newest `limit` readings of a meter, newest first.
    func readings(ofMeter number: String, limit: Int) throws(StoreError) -> [ReadingRecord]
    /// One reading by id (a unique prefix of it is enough).
    func reading(id: String) throws(StoreError) -> ReadingRecord?
    /// Applies a clerk's decision; accepting or correcting enqueues and may move the reference.
    /// `meterNumber` ties a photo without a known meter to one.
    func resolve(id: String, action: ClerkAction, meterNumber: String?, at date: Date) throws(StoreError)
        -> ReadingRecord
    /// Claims up to `limit` deliverable messages (oldest per meter, none behind one in flight)
    /// and hides them for `visibility` seconds.
    func claim(limit: Int, visibility: TimeInterval, now: Date) throws(StoreError) -> [OutboxMessage]
    /// Marks a message delivered.
    func markDelivered(_ sequence: Int64, at date: Date) throws(StoreError)
    /// Gives a claimed message back untried (a consumer stopping), visible again at once.
    func release(_ sequence: Int64) throws(StoreError)
    /// Records a failed delivery: retried after `retryAfter` seconds, or dead-lettered when
    /// `permanent` or after `maxDeliveries` attempts.
    func markFailed(
        _ sequence: Int64, error: String, permanent: Bool, retryAfter: TimeInterval, maxDeliveries: Int, now: Date
    ) throws(StoreError)
    /// Message counts by state.
    func queueCounts() throws(StoreError) -> QueueCounts
    /// Audit crops whose every reading was received before `cutoff` (retention has passed).
    func expiredAuditCrops(before cutoff: Date) throws(StoreError) -> [String]
    /// Forgets the given audit crop paths (after the files are deleted), and drops crops the
    /// store keeps itself.
    func forgetAuditCrops(_ paths: [String]) throws(StoreError)
    /// Whether counter crops are kept inside the store (shared by several hosts; given to
    /// `decide` as `auditPNG`) rather than as files beside it.
    var keepsAuditCrops: Bool { get }
    /// The bytes of a crop the store keeps (`keepsAuditCrops`), or nil when `reference` is not one of them.
    func auditCrop(_ reference: String) throws(StoreError) -> [UInt8]?
    /// Records the fingerprint of the sender-hash key on first use and refuses a different
    /// one later: hashes made with another key would never match the registry's.
    func adoptSenderKey(fingerprint: String) throws(StoreError)
    /// Waits until new messages may be deliverable, at most `timeout` seconds; true when a
    /// notification ended the wait, false when the timeout did.
    @discardableResult
    func waitForMessages(timeout: TimeInterval) -> Bool
}

extension ReadingStore {
    /// Stores without notifications wait the whole timeout (a consumer's poll interval).
    @discardableResult
    public func waitForMessages(timeout: TimeInterval) -> Bool {
        Thread.sleep(forTimeInterval: timeout)
        return false
    }
}

/// Prefix of an audit reference that names a crop kept inside the store (`store:<sha256>`)
/// rather than a file path.
public let storedCropPrefix = "store:"
