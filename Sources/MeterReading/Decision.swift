/// The three outcomes of every photo (DESIGN.md, "Decisions and replies").
public enum ReadingStatus: String, Sendable, Hashable, Codable {
    /// Readable, confident, plausible: queued for billing.
    case accepted
    /// Readable but uncertain or implausible: a clerk decides.
    case review
    /// Unreadable or not a usable photo: nothing queued, the citizen is asked for a new photo.
    case rejected
}

/// Stable machine codes for why a photo got its status. Codes are a contract: add, never rename.
public enum ReasonCode: String, Sendable, Hashable, Codable, CaseIterable {
    case decodeError = "decode_error"
    case noCounterFound = "no_counter_found"
    case blurred
    case tooDark = "too_dark"
    case tooFewDigits = "too_few_digits"
    case counterCutOff = "counter_cut_off"
    case lowConfidence = "low_confidence"
    case rollingDigit = "rolling_digit"
    case decrease
    case rateTooHigh = "rate_too_high"
    case rollover
    case unknownMeter = "unknown_meter"
}

/// A reason with a message a person can read.
public struct Reason: Sendable, Hashable, Codable {
    /// The stable code.
    public var code: ReasonCode
    /// What happened, in English, for logs and clerks.
    public var message: String

    /// A reason `code` explained by `message`.
    public init(_ code: ReasonCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
