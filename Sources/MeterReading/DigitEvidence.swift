/// One digit position of a counter as it was read, with the evidence for it.
public struct DigitEvidence: Sendable, Hashable {
    /// The digit finally chosen for this position ("" when unreadable).
    public var text: String
    /// Confidence in `text`, 0…1.
    public var confidence: Double
    /// Other digits considered, most likely first: (digit, confidence).
    public var alternatives: [Alternative]
    /// A red fraction drum / digit after the decimal point.
    public var isFraction: Bool
    /// Caught between two digits (mid-roll drum).
    public var isRolling: Bool

    /// An alternative digit and its confidence.
    public struct Alternative: Sendable, Hashable {
        /// The digit.
        public var text: String
        /// Confidence, 0…1.
        public var confidence: Double

        /// An alternative `text` with `confidence`.
        public init(_ text: String, _ confidence: Double) {
            self.text = text
            self.confidence = confidence
        }
    }

    /// A digit with its evidence.
    public init(
        text: String, confidence: Double, alternatives: [Alternative] = [], isFraction: Bool = false,
        isRolling: Bool = false
    ) {
        self.text = text
        self.confidence = confidence
        self.alternatives = alternatives
        self.isFraction = isFraction
        self.isRolling = isRolling
    }

    /// The digit as a number, nil when unreadable.
    public var value: Int? { text.count == 1 ? Int(text) : nil }
}
