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
    /// The reading has more or fewer digits than the registered meter.
    case digitCount = "digit_count"
    /// The counter has fewer or more digits than most meters (a digit may have been missed);
    /// a registered meter with exactly that layout clears it.
    case unusualLayout = "unusual_layout"
    /// The sender is not among those registered for the meter.
    case unregisteredSender = "unregistered_sender"
    /// Failed a plausibility rule, but agrees with an earlier reading that failed the same way:
    /// two independent photos confirm each other and replace a reference that was wrong.
    case confirmedByNewerReading = "confirmed_by_newer_reading"
    /// The same photo (by content) was sent before; its earlier decision is repeated.
    case duplicatePhoto = "duplicate_photo"
    /// A clerk decided this reading.
    case clerkDecision = "clerk_decision"
    /// The message carried no image.
    case noImage = "no_image"
    /// The input line or its photo reference could not be used (malformed JSON, a path
    /// outside the configured folders).
    case badInput = "bad_input"
    /// The line is a receipt, reaction or status update, not a citizen's message: the reply
    /// is empty and the gateway sends nothing.
    case notAMessage = "not_a_message"
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
