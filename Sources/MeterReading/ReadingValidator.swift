public import Foundation

/// What recognition made of a photo, before anything is known about the meter.
public struct RecognizedReading: Sendable, Hashable {
    /// Integer digits as read ("?" for an unreadable one).
    public var integer: String
    /// Fraction digits as read, or nil.
    public var fraction: String?
    /// Status from recognition alone (`ReadingAssembler.judge`).
    public var status: ReadingStatus
    /// Reasons from recognition alone.
    public var reasons: [Reason]

    /// A recognised reading.
    public init(integer: String, fraction: String?, status: ReadingStatus, reasons: [Reason]) {
        self.integer = integer
        self.fraction = fraction
        self.status = status
        self.reasons = reasons
    }
}

/// Everything the rules need to know about the meter a photo shows, read in one transaction.
public struct ValidationContext: Sendable {
    /// The registered meter, or nil when the photo could not be tied to one.
    public var meter: Meter?
    /// Confident readings of this meter that failed a plausibility rule and are not yet
    /// confirmed, oldest first.
    public var pending: [PendingReading]
    /// Keyed hash of the sender, when the photo came from a messenger.
    public var sender: String?
    /// When the photo was taken or received: the time its reading counts for.
    public var readAt: Date
    /// SHA-256 of the photo bytes.
    public var imageSHA256: String

    /// A context for one photo.
    public init(
        meter: Meter?, pending: [PendingReading] = [], sender: String? = nil, readAt: Date,
        imageSHA256: String
    ) {
        self.meter = meter
        self.pending = pending
        self.sender = sender
        self.readAt = readAt
        self.imageSHA256 = imageSHA256
    }
}

/// The rules' decision for one reading and what it changes.
public struct Verdict: Sendable, Hashable {
    /// accepted, review or rejected.
    public var status: ReadingStatus
    /// Every rule that fired (recognition's reasons first).
    public var reasons: [Reason]
    /// The value, when the digits form one.
    public var value: MeterValue?
    /// An accepted reading becomes the meter's new reference.
    public var becomesReference: Bool
    /// Confident, but failed only plausibility rules: may be confirmed later.
    public var awaitsConfirmation: Bool
    /// Earlier pending readings this one confirms (accepted together with it, oldest first).
    public var confirms: [PendingReading]
}

/// Limits of the plausibility rules that are not per meter.
public struct PlausibilityPolicy: Sendable, Hashable {
    /// A rollover needs the reference in the top `rolloverBand` of the register's range and the
    /// new reading in the bottom `rolloverBand`.
    public var rolloverBand: Double
    /// Consumption limits are computed over at least this many days, so two photos on one
    /// day are not held to a fraction of a day's maximum.
    public var minimumDays: Double

    /// Defaults: a tenth of the range, one day.
    public init(rolloverBand: Double = 0.1, minimumDays: Double = 1) {
        self.rolloverBand = rolloverBand
        self.minimumDays = minimumDays
    }
}

/// The reading rules of DESIGN.md: digit count, confidence, decrease and rollover, consumption
/// rate, unknown meter, and recovery from a wrong reference through independent confirmation.
public struct ReadingValidator: Sendable {
    /// Limits in use.
    public var policy: PlausibilityPolicy

    /// A validator applying `policy`.
    public init(policy: PlausibilityPolicy = PlausibilityPolicy()) {
        self.policy = policy
    }

    /// Decides a recognised reading in `context`. Pure: the caller stores what it returns.
    public func validate(_ reading: RecognizedReading, in context: ValidationContext) -> Verdict {
        let value = MeterValue(integer: reading.integer, fraction: reading.fraction)
        var verdict = Verdict(
            status: reading.status, reasons: reading.reasons, value: value, becomesReference: false,
            awaitsConfirmation: false, confirms: [])
        if reading.status == .rejected { return verdict }
        guard let meter = context.meter else {
            verdict.status = .review
            verdict.reasons.append(Reason(.unknownMeter, "the photo could not be matched to a registered meter"))
            return verdict
        }
        if reading.status == .review, !reading.reasons.isEmpty, reading.reasons.allSatisfy({ $0.code == .unusualLayout }),
            matchesLayout(reading, of: meter)
        {
            // Held back only for a layout few meters have, and this meter has it: nothing was missed.
            verdict.status = .accepted
            verdict.reasons = []
        }
        var clerkNeeded = verdict.status != .accepted || value == nil
        if let sender = context.sender, !meter.senders.isEmpty, !meter.senders.contains(sender) {
            verdict.reasons.append(
                Reason(.unregisteredSender, "the sender is not registered for meter \(meter.number)"))
            clerkNeeded = true
        }
        if let layout = digitCountProblem(reading, meter: meter) {
            verdict.reasons.append(Reason(.digitCount, layout))
            clerkNeeded = true
        }
        var implausible: [Reason] = []
        var flags: [Reason] = []
        if let value, let reference = meter.reference {
            switch check(value, at: context.readAt, against: reference, meter: meter) {
            case .plausible: break
            case .rollover(let message): flags.append(Reason(.rollover, message))
            case .implausible(let reason): implausible.append(reason)
            }
        }
        verdict.reasons += implausible
        if clerkNeeded {
            verdict.status = .review
            verdict.reasons += flags
            return verdict
        }
        if implausible.isEmpty {
            verdict.status = .accepted
            verdict.reasons += flags
            verdict.becomesReference = true
            return verdict
        }
        // Confident but implausible against the reference. The reference itself may be the
        // wrong one: an earlier independent photo that failed the same way and agrees with this
        // one confirms both, and this one becomes the reference.
        let confirmed = value.map { confirmations(of: $0, in: context, meter: meter) } ?? []
        if confirmed.isEmpty {
            verdict.status = .review
            verdict.awaitsConfirmation = true
            return verdict
        }
        verdict.status = .accepted
        verdict.becomesReference = true
        verdict.confirms = confirmed
        let ids = confirmed.map(\.readingID).joined(separator: ", ")
        verdict.reasons.append(
            Reason(
                .confirmedByNewerReading,
                "agrees with earlier reading(s) \(ids), which failed the same check; both replace the reference"))
        return verdict
    }

    private enum Plausibility {
        case plausible
        case rollover(String)
        case implausible(Reason)
    }

    private func check(_ value: MeterValue, at readAt: Date, against reference: ConfirmedReading, meter: Meter)
        -> Plausibility
    {
        let days = max(readAt.timeIntervalSince(reference.readAt) / 86_400, policy.minimumDays)
        var consumption = value - reference.value
        var rolledOver = false
        if consumption.tenThousandths < 0 {
            let digits = meter.integerDigits ?? String(reference.value.formatted(fractionDigits: 0)).count
            let range = pow(10, Double(digits))
            let band = range * policy.rolloverBand
            guard digits <= 14, reference.value.doubleValue >= range - band, value.doubleValue < band else {
                return .implausible(
                    Reason(.decrease, "\(value) is below the last confirmed reading \(reference.value)"))
            }
            consumption = value + MeterValue(units: Int64(range)) - reference.value
            rolledOver = true
        }
        if let maxPerDay = meter.maxPerDay, consumption.doubleValue > maxPerDay * days {
            let perDay = consumption.doubleValue / days
            return .implausible(
                Reason(
                    .rateTooHigh,
                    "consumption \(consumption) since \(reference.value) is \(format(perDay)) per day, "
                        + "above the meter's maximum of \(format(maxPerDay))"))
        }
        if rolledOver {
            return .rollover("the register rolled over from \(reference.value) to \(value)")
        }
        return .plausible
    }

    /// Pending readings newer than the reference, from other photos, that this value agrees
    /// with: not lower, and not more consumption in between than the meter allows.
    private func confirmations(of value: MeterValue, in context: ValidationContext, meter: Meter)
        -> [PendingReading]
    {
        let since = meter.reference?.readAt ?? .distantPast
        var agreeing: [PendingReading] = []
        for candidate in context.pending.sorted(by: { $0.readAt < $1.readAt }) {
            guard candidate.readAt >= since, candidate.readAt <= context.readAt,
                candidate.imageSHA256 != context.imageSHA256, candidate.value <= value
            else { continue }
            if let maxPerDay = meter.maxPerDay {
                let days = max(context.readAt.timeIntervalSince(candidate.readAt) / 86_400, policy.minimumDays)
                if (value - candidate.value).doubleValue > maxPerDay * days { continue }
            }
            // A chain of confirmations must itself be non-decreasing.
            if let last = agreeing.last, candidate.value < last.value { agreeing.removeAll() }
            agreeing.append(candidate)
        }
        return agreeing
    }

    /// Whether the meter's registered layout is known and the reading fits it: all its integer
    /// digits, and no more fraction digits than it has (fewer are a truncation, as elsewhere).
    private func matchesLayout(_ reading: RecognizedReading, of meter: Meter) -> Bool {
        guard let integerDigits = meter.integerDigits, reading.integer.count == integerDigits else { return false }
        return meter.fractionDigits.map { (reading.fraction?.count ?? 0) <= $0 } ?? true
    }

    private func digitCountProblem(_ reading: RecognizedReading, meter: Meter) -> String? {
        if let expected = meter.integerDigits, reading.integer.count != expected {
            return "read \(reading.integer.count) integer digits, meter \(meter.number) has \(expected)"
        }
        if let expected = meter.fractionDigits, let fraction = reading.fraction, fraction.count > expected {
            return "read \(fraction.count) fraction digits, meter \(meter.number) has \(expected)"
        }
        return nil
    }

    private func format(_ number: Double) -> String {
        String((number * 100).rounded() / 100)
    }
}
