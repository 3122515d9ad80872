/// A counter reading assembled from its digit positions.
public struct AssembledReading: Sendable, Hashable {
    /// Integer digits, leading zeros kept.
    public var integer: String
    /// Fraction digits, or nil when the counter shows none (or none were read).
    public var fraction: String?
    /// Every position left to right after the rolling rule, with its evidence.
    public var digits: [DigitEvidence]
    /// Confidence of the whole reading: the weakest integer digit's.
    public var confidence: Double

    /// `integer` and, if present, `.` and `fraction`.
    public var value: String { fraction.map { integer + "." + $0 } ?? integer }
}

/// Thresholds that turn recognition evidence into a status.
public struct RecognitionPolicy: Sendable, Hashable {
    /// Every integer digit at least this confident → `accepted` (before plausibility rules).
    public var acceptConfidence: Double
    /// Fewer integer digits than this → `rejected` with `too_few_digits`.
    public var minimumIntegerDigits: Int
    /// Fewer integer digits than `minimumIntegerDigits` read at this confidence or more →
    /// `rejected` with `too_few_digits` (tuning sets: 2 unreadable photos in review at 0.4, no
    /// readable one).
    public var legibleConfidence: Double
    /// Fewer digit positions than this in all, integer and fraction → `rejected` with
    /// `too_few_digits`: no counter shows fewer, so three digits are a piece of one (the red
    /// drums alone, the end of a counter cut off by the photo's edge) or no counter at all.
    public var minimumDigits: Int
    /// Counters have at least this many integer digits; fewer read → `review` (a digit lost
    /// at the edge, or a decimal mark seen in the wrong place), unless `usualFractionDigits`
    /// or more fraction digits follow: registers of three or four integer digits show three
    /// decimals (heat meters' "0021,212 MWh"), while a row cut short seldom keeps its decimals.
    public var usualIntegerDigits: Int
    /// Counters have at most this many integer digits; more read → `review` (a decimal point
    /// or the start of the red fraction drums missed, which multiplies the reading).
    public var mostIntegerDigits: Int
    /// Fraction digits that confirm a register with fewer than `usualIntegerDigits`.
    public var usualFractionDigits: Int
    /// Counters show at most this many fraction digits; more read → `review`.
    public var mostFractionDigits: Int
    /// This many integer digits or more and no fraction digit → `rejected` with
    /// `no_counter_found`: the row read is a serial or barcode number beside a counter cut off
    /// or not found (tuning and evaluated sets: 13 unreadable photos and 21 wrong readings for
    /// review read so, no right one).
    public var serialNumberDigits: Int

    /// Defaults tuned so that wrong readings go to review rather than being accepted.
    public init(
        acceptConfidence: Double = 0.85, minimumIntegerDigits: Int = 3, legibleConfidence: Double = 0.4,
        minimumDigits: Int = 4, usualIntegerDigits: Int = 5, mostIntegerDigits: Int = 6, usualFractionDigits: Int = 3,
        mostFractionDigits: Int = 4, serialNumberDigits: Int = 8
    ) {
        self.acceptConfidence = acceptConfidence
        self.minimumIntegerDigits = minimumIntegerDigits
        self.legibleConfidence = legibleConfidence
        self.minimumDigits = minimumDigits
        self.usualIntegerDigits = usualIntegerDigits
        self.mostIntegerDigits = mostIntegerDigits
        self.usualFractionDigits = usualFractionDigits
        self.mostFractionDigits = mostFractionDigits
        self.serialNumberDigits = serialNumberDigits
    }
}

/// Turns per-position evidence into a reading and a recognition-only status.
public struct ReadingAssembler: Sendable {
    /// The thresholds in use.
    public var policy: RecognitionPolicy

    /// An assembler applying `policy`.
    public init(policy: RecognitionPolicy = RecognitionPolicy()) {
        self.policy = policy
    }

    /// Applies the rolling rule right to left and joins the digits.
    public func assemble(_ positions: [DigitEvidence]) -> AssembledReading {
        let resolved = Self.resolveRolling(positions)
        let integerDigits = resolved.filter { !$0.isFraction }
        let fractionDigits = resolved.filter(\.isFraction)
        let integer = integerDigits.map { $0.text.isEmpty ? "?" : $0.text }.joined()
        let fraction = fractionDigits.isEmpty
            ? nil : fractionDigits.map { $0.text.isEmpty ? "?" : $0.text }.joined()
        let confidence = integerDigits.map(\.confidence).min() ?? 0
        return AssembledReading(
            integer: integer, fraction: fraction, digits: resolved, confidence: confidence)
    }

    /// Status and reasons from recognition alone (plausibility rules come later).
    public func judge(_ reading: AssembledReading) -> (ReadingStatus, [Reason]) {
        let integerDigits = reading.digits.filter { !$0.isFraction }
        let readable = integerDigits.filter { $0.value != nil }
        if readable.count < policy.minimumIntegerDigits {
            return (
                .rejected,
                [Reason(.tooFewDigits, "only \(readable.count) integer digits could be read")]
            )
        }
        // A photo of no counter, or of one blurred past reading, still makes a row of guesses.
        let legible = readable.count { $0.confidence >= policy.legibleConfidence }
        if legible < policy.minimumIntegerDigits {
            let message = "only \(legible) integer digits could be read with any confidence"
            return (.rejected, [Reason(.tooFewDigits, message)])
        }
        if reading.digits.count < policy.minimumDigits {
            let message = "only \(reading.digits.count) digits found; a counter shows at least \(policy.minimumDigits)"
            return (.rejected, [Reason(.tooFewDigits, message)])
        }
        let fractionCount = reading.digits.count(where: \.isFraction)
        if fractionCount == 0, integerDigits.count >= policy.serialNumberDigits {
            let message = "only a row of \(integerDigits.count) digits without decimals found: a serial or barcode number, not a counter"
            return (.rejected, [Reason(.noCounterFound, message)])
        }
        var reasons: [Reason] = []
        let unreadable = integerDigits.count - readable.count
        if unreadable > 0 {
            reasons.append(Reason(.lowConfidence, "\(unreadable) integer digit(s) could not be read"))
        }
        let unsure = integerDigits.enumerated().filter {
            $0.element.value != nil && $0.element.confidence < policy.acceptConfidence
        }
        if !unsure.isEmpty {
            let positions = unsure.map { String($0.offset + 1) }.joined(separator: ", ")
            reasons.append(Reason(.lowConfidence, "uncertain integer digit at position \(positions)"))
        }
        let shortRegister = integerDigits.count < policy.usualIntegerDigits && fractionCount < policy.usualFractionDigits
        if shortRegister || integerDigits.count > policy.mostIntegerDigits || fractionCount > policy.mostFractionDigits {
            reasons.append(
                Reason(
                    .unusualLayout,
                    "unusual counter layout: \(integerDigits.count) integer and \(fractionCount) fraction digits"))
        }
        return (reasons.isEmpty ? .accepted : .review, reasons)
    }

    /// The rolling rule: a drum caught between two digits reads as the lower one, unless the
    /// drum to its right has already wrapped past 0, then as the upper one. Walks right to left
    /// so each drum sees its right neighbour's final value. The two neighbours come from the
    /// recogniser's top choices; a rolling position whose choices are not neighbours keeps the
    /// recogniser's best guess.
    static func resolveRolling(_ positions: [DigitEvidence]) -> [DigitEvidence] {
        var result = positions
        var rightValue: Int? = nil
        for index in result.indices.reversed() {
            var position = result[index]
            if position.isRolling, let (lower, upper) = neighbours(of: position) {
                let wrapped = rightValue == 0
                let chosen = wrapped ? upper : lower
                if String(chosen) != position.text {
                    let previous = DigitEvidence.Alternative(position.text, position.confidence)
                    let chosenConfidence =
                        position.alternatives.first { $0.text == String(chosen) }?.confidence ?? 0
                    position.alternatives.removeAll { $0.text == String(chosen) }
                    if !previous.text.isEmpty { position.alternatives.insert(previous, at: 0) }
                    position.text = String(chosen)
                    // Both neighbours are the evidence for a rolling drum: its certainty is
                    // that of the pair, not of whichever half the engine preferred.
                    position.confidence = max(chosenConfidence, previous.confidence)
                }
            }
            rightValue = position.value
            result[index] = position
        }
        return result
    }

    /// The (lower, upper) digit pair a rolling position is between, from its best two choices.
    static func neighbours(of position: DigitEvidence) -> (Int, Int)? {
        guard let best = position.value else { return nil }
        // Only an alternative the engine really considered: a clean digit also comes with
        // near-zero runners-up, often a neighbour.
        for alternative in position.alternatives.prefix(2) where alternative.confidence >= 0.15 {
            guard let other = Int(alternative.text) else { continue }
            if (best + 1) % 10 == other { return (best, other) }
            if (other + 1) % 10 == best { return (other, best) }
        }
        return nil
    }
}
