public import MeterReading

/// The per-photo result record of `read`, `batch` and `pipe` (DESIGN.md, "Contracts").
public struct ReadResult: Sendable, Encodable {
    /// The file the photo came from, when it came from a file.
    public var file: String?
    /// The gateway's message id, when it came through the pipe.
    public var id: String?
    /// accepted, review or rejected.
    public var status: ReadingStatus
    /// The reading, or nil when nothing was read.
    public var reading: Reading?
    /// Meter number, when known.
    public var meter: String?
    /// Confidence of the reading, 0…1 (0 when nothing was read).
    public var confidence: Double
    /// Every digit position with its evidence.
    public var digits: [Digit]
    /// Why the status is what it is (empty for a clean accept).
    public var reasons: [Reason]
    /// What the gateway should answer the citizen.
    public var reply: Reply
    /// Wall time per stage, in milliseconds.
    public var timings: [String: Double]
    /// Corners of the counter that was read (x, y pairs, clockwise from top-left) in the
    /// upright full-size photo, or nil when none was found.
    public var counter: [Double]? = nil
    /// The stored reading's id (UUIDv7) when the result was recorded in a state directory;
    /// billing receives the same id.
    public var readingID: String? = nil
    /// The value as the store recorded it (with the meter's fraction digits), for the reply.
    var recordedValue: String? = nil

    /// The value read, split as billing needs it.
    public struct Reading: Sendable, Encodable, Hashable {
        /// Integer and fraction joined with "." (e.g. "01189.27").
        public var value: String
        /// Integer digits, leading zeros kept.
        public var integer: String
        /// Fraction digits, or nil.
        public var fraction: String?
        /// Unit when known (m3, kWh), else nil.
        public var unit: String?

        /// Encodes every field, absent ones as null.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .value)
            try container.encode(integer, forKey: .integer)
            try container.encode(fraction, forKey: .fraction)
            try container.encode(unit, forKey: .unit)
        }

        enum CodingKeys: String, CodingKey { case value, integer, fraction, unit }
    }

    /// One digit position as reported.
    public struct Digit: Sendable, Codable, Hashable {
        /// The digit chosen ("" when unreadable).
        public var text: String
        /// Confidence, 0…1.
        public var confidence: Double
        /// Other candidates as [digit, confidence] pairs.
        public var alternatives: [Alternative]
        /// A fraction digit.
        public var fraction: Bool
        /// Caught mid-roll.
        public var rolling: Bool

        /// Encodes as a two-element JSON array.
        public struct Alternative: Sendable, Codable, Hashable {
            /// The digit.
            public var text: String
            /// Its confidence.
            public var confidence: Double

            /// Encodes as `["8", 0.01]`.
            public func encode(to encoder: any Encoder) throws {
                var container = encoder.unkeyedContainer()
                try container.encode(text)
                try container.encode(confidence)
            }
        }
    }

    /// The answer for the citizen.
    public struct Reply: Sendable, Encodable, Hashable {
        /// Language code.
        public var lang: String
        /// The message.
        public var text: String
    }

    enum CodingKeys: String, CodingKey {
        case file, id, status, reading, meter, confidence, digits, reasons, reply, counter
        case timings = "timings_ms"
        case readingID = "reading_id"
    }

    /// Encodes every contract field, absent ones as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(reading, forKey: .reading)
        try container.encode(meter, forKey: .meter)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(digits, forKey: .digits)
        try container.encode(reasons, forKey: .reasons)
        try container.encode(reply, forKey: .reply)
        try container.encode(timings, forKey: .timings)
        try container.encode(counter, forKey: .counter)
        try container.encodeIfPresent(readingID, forKey: .readingID)
    }
}

extension ReadResult.Digit.Alternative {
    /// Decodes `["8", 0.01]`.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        text = try container.decode(String.self)
        confidence = try container.decode(Double.self)
    }
}

extension ReadResult.Digit {
    /// The reported form of a digit's evidence, confidences rounded to 3 places.
    init(_ evidence: DigitEvidence) {
        text = evidence.text
        confidence = rounded(evidence.confidence)
        alternatives = evidence.alternatives.map { Alternative(text: $0.text, confidence: rounded($0.confidence)) }
        fraction = evidence.isFraction
        rolling = evidence.isRolling
    }
}

/// A value rounded to three decimals for output.
func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

extension ReadResult {
    /// A rejected result: nothing read, the reply chosen from the first reason.
    static func rejected(file: String?, id: String?, reasons: [Reason], timings: [String: Double] = [:])
        -> ReadResult
    {
        ReadResult(
            file: file, id: id, status: .rejected, reading: nil, meter: nil, confidence: 0, digits: [],
            reasons: reasons,
            reply: ReplyComposer.reply(status: .rejected, reading: nil, unit: nil, reasons: reasons),
            timings: timings)
    }

    /// Whether the photo's reading was accepted.
    public var isAccepted: Bool { status == .accepted }
}
