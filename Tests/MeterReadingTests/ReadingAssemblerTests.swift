import Testing
import MeterReading

@Suite("Reading assembly and the rolling rule")
struct ReadingAssemblerTests {
    func digit(_ text: String, _ confidence: Double = 0.95, _ alternatives: [(String, Double)] = [],
               fraction: Bool = false, rolling: Bool = false) -> DigitEvidence {
        DigitEvidence(
            text: text, confidence: confidence, alternatives: alternatives.map { .init($0.0, $0.1) },
            isFraction: fraction, isRolling: rolling)
    }

    @Test func joinsIntegerAndFraction() {
        let reading = ReadingAssembler().assemble([
            digit("0"), digit("1"), digit("1"), digit("8"), digit("9"),
            digit("2", fraction: true), digit("7", fraction: true),
        ])
        #expect(reading.integer == "01189" && reading.fraction == "27" && reading.value == "01189.27")
        #expect(reading.confidence == 0.95)
    }

    /// A row of guesses (no counter, or one blurred past reading) is rejected, not sent to a
    /// clerk: too few of its integer digits are read with any confidence.
    @Test(arguments: [(0.3, "rejected"), (0.45, "review")])
    func rowOfGuessesIsRejected(confidence: Double, status: String) {
        let assembler = ReadingAssembler()
        let reading = assembler.assemble(
            [digit("1", 0.95), digit("0", 0.9)] + (0..<4).map { _ in digit("1", confidence) })
        let (judged, reasons) = assembler.judge(reading)
        #expect(judged.rawValue == status)
        #expect((reasons.first?.code.rawValue == "too_few_digits") == (status == "rejected"))
    }

    /// Eight digits or more without decimals are a serial or barcode number read beside a
    /// counter that was cut off or not found; with a fraction digit, or seven, a clerk looks.
    @Test(arguments: [("47185252", 0, "rejected"), ("4718525", 0, "review"), ("47185252", 1, "review")])
    func longRowWithoutDecimalsIsNoCounter(text: String, fraction: Int, status: String) {
        let assembler = ReadingAssembler()
        let digits = text.map { digit(String($0)) } + (0..<fraction).map { _ in digit("3", fraction: true) }
        let (judged, reasons) = assembler.judge(assembler.assemble(digits))
        #expect(judged.rawValue == status)
        #expect((reasons.first?.code.rawValue == "no_counter_found") == (status == "rejected"))
    }

    @Test func rollingDrumReadsAsTheLowerDigit() {
        // Third drum between 3 and 4, engine slightly prefers 4; the drum to its right shows 9.
        let reading = ReadingAssembler().assemble([
            digit("0"), digit("2"), digit("4", 0.5, [("3", 0.45)], rolling: true), digit("9"),
        ])
        #expect(reading.integer == "0239")
        #expect(reading.digits[2].alternatives.first?.text == "4")
    }

    @Test func rollingDrumReadsUpperWhenTheRightNeighbourWrappedPastZero() {
        let reading = ReadingAssembler().assemble([
            digit("1"), digit("3", 0.5, [("4", 0.45)], rolling: true), digit("0"),
        ])
        #expect(reading.integer == "140")
    }

    @Test func nineToZeroIsAStep() {
        let reading = ReadingAssembler().assemble([
            digit("5"), digit("0", 0.6, [("9", 0.4)], rolling: true), digit("9", fraction: true),
        ])
        #expect(reading.integer == "59")
    }

    @Test func rollingChainsResolveRightToLeft() {
        // ...3|4 followed by 9|0 followed by a fraction drum at 9: both stay low.
        let reading = ReadingAssembler().assemble([
            digit("3", 0.5, [("4", 0.5)], rolling: true), digit("0", 0.5, [("9", 0.5)], rolling: true),
            digit("9", fraction: true),
        ])
        #expect(reading.integer == "39")
    }

    @Test func notNeighboursKeepsTheBestGuess() {
        let reading = ReadingAssembler().assemble([
            digit("1"), digit("5", 0.7, [("8", 0.2)], rolling: true), digit("2"),
        ])
        #expect(reading.integer == "152")
    }

    @Test func judgingByConfidence() {
        let assembler = ReadingAssembler(policy: RecognitionPolicy(acceptConfidence: 0.8, minimumIntegerDigits: 3))
        let confident = assembler.assemble(
            [digit("0"), digit("0"), digit("1"), digit("2"), digit("3"), digit("4", fraction: true)])
        #expect(assembler.judge(confident).0 == .accepted)
        // One digit short of the usual five, or a missed decimal point making seven.
        let short = assembler.assemble([digit("1"), digit("2"), digit("3"), digit("4"), digit("5", fraction: true)])
        #expect(assembler.judge(short).0 == .review)
        let long = assembler.assemble("0015865".map { digit(String($0)) })
        #expect(assembler.judge(long).0 == .review)
        let longFraction = assembler.assemble(
            [digit("0"), digit("0"), digit("7"), digit("1"), digit("2")] + "37165".map { digit(String($0), fraction: true) })
        #expect(assembler.judge(longFraction).0 == .review)
        // Fewer integer digits with three or four decimals are a register of that layout (a
        // heat meter's 0021,212); with fewer decimals, a row cut short.
        func layout(_ integer: String, _ fraction: String) -> ReadingStatus {
            assembler.judge(
                assembler.assemble(integer.map { digit(String($0)) } + fraction.map { digit(String($0), fraction: true) })
            ).0
        }
        #expect(layout("0021", "212") == .accepted && layout("008", "009") == .accepted)
        #expect(layout("0481", "8069") == .accepted && layout("00481", "8069") == .accepted)
        #expect(layout("0021", "21") == .review && layout("0021", "") == .review)
        #expect(layout("00481", "80691") == .review)
        let unsure = assembler.assemble([digit("1"), digit("2", 0.5), digit("3"), digit("4"), digit("5")])
        let (status, reasons) = assembler.judge(unsure)
        #expect(status == .review && reasons.map(\.code) == [.lowConfidence])
        let holes = assembler.assemble([digit("1"), digit(""), digit("3"), digit("4")])
        #expect(assembler.judge(holes).0 == .review)
        let tooFew = assembler.assemble([digit("1"), digit("2")])
        #expect(assembler.judge(tooFew).0 == .rejected)
        #expect(assembler.judge(tooFew).1.map(\.code) == [.tooFewDigits])
        // Three confident digits are a piece of a counter (its red drums alone), not a reading;
        // three integer digits and a fraction are one.
        let piece = assembler.assemble([digit("7"), digit("9"), digit("2")])
        #expect(assembler.judge(piece).0 == .rejected && assembler.judge(piece).1.map(\.code) == [.tooFewDigits])
        let withFraction = assembler.assemble([digit("7"), digit("9"), digit("2"), digit("4", fraction: true)])
        #expect(assembler.judge(withFraction).0 != .rejected)
    }
}
