public import MeterImage
public import MeterOCR
public import MeterReading
public import MeterVision

/// Settings of the reading stages.
public struct ReaderSettings: Sendable {
    /// Decode limits; the pixel format and size are chosen by the reader.
    public var decode = DecodeOptions()
    /// Long side, in pixels, of the picture the counter is searched in.
    public var locateLongSide = 900.0
    /// Counter candidates tried with OCR, best-ranked first, until one reads confidently.
    public var candidatesToRead = 3
    /// Recognition thresholds.
    public var policy = RecognitionPolicy()
    /// Mean brightness below which a photo is too dark to read.
    public var darkBrightness = 28.0

    /// Defaults.
    public init() {}
}

/// Everything a person needs to check what the reader saw (for `--debug-dir`).
public struct ReadEvidence: Sendable {
    /// The decoded photo (upright).
    public var photo: Photo?
    /// Candidates in full-resolution coordinates, best first.
    public var candidates: [CounterCandidate] = []
    /// The crop that was read.
    public var crop: CounterCrop?
    /// Cells as handed to the recogniser.
    public var preparedCells: [Image] = []
}

/// Reads one photo from bytes to a result: decode → locate → extract → recognise → assemble.
///
/// Owns a recogniser, so it is used by one worker at a time; make one per worker.
public final class PhotoReader {
    /// Stage settings.
    public let settings: ReaderSettings
    private let recognizer: any DigitRecognizer
    private let locator = CounterLocator()
    private let extractor = CounterExtractor()
    private let assembler: ReadingAssembler

    /// A reader using `recognizer` for the digits.
    public init(recognizer: any DigitRecognizer, settings: ReaderSettings = ReaderSettings()) {
        self.recognizer = recognizer
        self.settings = settings
        assembler = ReadingAssembler(policy: settings.policy)
    }

    /// Reads a photo held in memory. Never throws for bad input: that is a `rejected` result.
    public func read(bytes: [UInt8], file: String? = nil, id: String? = nil) throws(OCRError)
        -> (ReadResult, ReadEvidence)
    {
        var timings: [String: Double] = [:]
        var evidence = ReadEvidence()
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ stage: String) {
            let now = clock.now
            timings[stage] = rounded(milliseconds(mark.duration(to: now)))
            mark = now
        }

        var options = settings.decode
        options.pixelFormat = .rgb
        // A 4000×3000 original is decoded at 1/2 in the DCT domain: digits stay large enough.
        options.minimumSize = (1000, 1000)
        let photo: Photo
        do {
            photo = try decode(bytes, options: options)
        } catch {
            lap("decode")
            return (
                rejected(file, id, [Reason(.decodeError, error.description)], timings), evidence
            )
        }
        evidence.photo = photo
        lap("decode")

        let planes = ColorPlanes(photo.image)
        let brightness = planes.gray.mean
        if brightness < settings.darkBrightness {
            lap("locate")
            let message = "mean brightness \(Int(brightness)) of 255"
            return (rejected(file, id, [Reason(.tooDark, message)], timings), evidence)
        }
        let factor = max(1, Int((Double(max(planes.gray.width, planes.gray.height)) / settings.locateLongSide).rounded()))
        let small = planes.gray.downscaled(by: factor)
        let candidates = locator.locate(small).map { $0.scaled(by: Double(factor)) }
        evidence.candidates = candidates
        lap("locate")
        guard !candidates.isEmpty else {
            return (
                rejected(file, id, [Reason(.noCounterFound, "no row of digits found")], timings),
                evidence
            )
        }

        var best: (reading: AssembledReading, crop: CounterCrop, cells: [Image], score: Double)?
        var segmentTime = 0.0
        var recognizeTime = 0.0
        for candidate in candidates.prefix(settings.candidatesToRead) {
            var stageStart = clock.now
            let crop = extractor.extract(candidate, from: planes)
            let prepared = crop.cells.map { prepareCellForOCR($0.image) }
            segmentTime += milliseconds(stageStart.duration(to: clock.now))
            stageStart = clock.now
            var positions: [DigitEvidence] = []
            for (cell, image) in zip(crop.cells, prepared) {
                let guess = try recognizer.recognizeDigit(image)
                positions.append(
                    DigitEvidence(
                        text: guess.text, confidence: guess.confidence,
                        alternatives: guess.alternatives.map { .init($0.text, $0.confidence) },
                        isFraction: cell.isFraction, isRolling: cell.isRolling))
            }
            recognizeTime += milliseconds(stageStart.duration(to: clock.now))
            let reading = assembler.assemble(positions)
            let readable = reading.digits.filter { $0.value != nil }
            let score = readable.map(\.confidence).reduce(0, +)
            if best == nil || score > best!.score {
                best = (reading, crop, prepared, score)
            }
            if assembler.judge(reading).0 == .accepted { break }
        }
        timings["segment"] = rounded(segmentTime)
        timings["recognize"] = rounded(recognizeTime)
        mark = clock.now
        guard let best else {
            return (
                rejected(file, id, [Reason(.noCounterFound, "no row of digits found")], timings),
                evidence
            )
        }
        evidence.crop = best.crop
        evidence.preparedCells = best.cells
        let (status, reasons) = assembler.judge(best.reading)
        let reading = best.reading
        let hasReading = status != .rejected
        lap("assemble")
        let result = ReadResult(
            file: file, id: id, status: status,
            reading: hasReading
                ? ReadResult.Reading(
                    value: reading.value, integer: reading.integer, fraction: reading.fraction,
                    unit: nil)
                : nil,
            meter: nil, confidence: hasReading ? rounded(reading.confidence) : 0,
            digits: reading.digits.map(ReadResult.Digit.init),
            reasons: reasons,
            reply: ReplyComposer.reply(
                status: status, reading: reading.value, unit: nil, reasons: reasons),
            timings: timings)
        return (result, evidence)
    }

    private func rejected(_ file: String?, _ id: String?, _ reasons: [Reason], _ timings: [String: Double])
        -> ReadResult
    {
        ReadResult(
            file: file, id: id, status: .rejected, reading: nil, meter: nil, confidence: 0, digits: [],
            reasons: reasons,
            reply: ReplyComposer.reply(status: .rejected, reading: nil, unit: nil, reasons: reasons),
            timings: timings)
    }
}
