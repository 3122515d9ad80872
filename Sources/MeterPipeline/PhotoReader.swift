import Foundation
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
    /// Counter candidates tried with OCR, best-ranked first, until one reads confidently
    /// (tuning sets at 0.7 of their size: with 5, small counters ranked after rows of tiles
    /// were never read; 8 costs no measurable time, as most photos stop at the first). Rows
    /// read as no digits (tiles, bars) do not count: one more is tried for each.
    public var candidatesToRead = 8
    /// Most positions a row may have to be read as a counter: no register shows more than
    /// eight integer and four fraction digits, while a row of wall tiles or stripes can link
    /// thirty shapes and costs a dozen milliseconds to read as no digits.
    public var mostPositions = 14
    /// Score factor of a row that runs into the photo's edge, against one wholly inside it.
    public var cutOffRowWeight = 0.5
    /// Mean digit confidence under which the photo is located again with a narrower threshold
    /// window (a second look; also when too few digits, or fewer integer digits than a counter
    /// usually has, were read).
    public var secondLookBelowConfidence = 0.9
    /// Digit height at the locating scale under which a reading with fewer integer digits than
    /// usual sends the search to full size: strokes of a pixel or two break apart in the
    /// locating threshold, and the row misses digits (rows of 10–13 px on the tuning sets).
    public var smallestLocatedDigitHeight = 14.0
    /// Confidence every integer digit of a reading found on the second look needs to be accepted.
    public var secondLookAcceptConfidence = 0.95
    /// Confidence under which a digit read at a row's end, in a position the locator only
    /// inferred from ink there, is left out of the reading (as a no-digit reading is).
    public var inferredEndConfidence = 0.5
    /// Confidence under which a digit is a guess: a longer row of the same counter with such a
    /// digit does not replace the row read (a comma's room read as a digit).
    public var guessBelowConfidence = 0.5
    /// Score factor of a row whose every position reads "1" (barcodes, breaker toggles).
    public var onlyOnesRowWeight = 0.3
    /// Whether a photo in which no counter is found upright is read again turned a quarter
    /// each way (sideways photos without an orientation tag).
    public var tryQuarterTurns = true
    /// How much surer a reading of a sideways photo must be than the reading of the opposite
    /// quarter turn (the counter upside down) to be accepted.
    public var turnedReadingMargin = 0.25
    /// Confidence under which a reading for review is made again turned a quarter each way,
    /// as a rejection is (sideways seed 4244 read upright: 34 of 36 readings for review under
    /// 0.4; tuning sets: 22 of 297, 5 of them right).
    public var turnUnsureReviewBelow = 0.4
    /// Confidence a reading of a sideways photo needs to replace the upright one.
    public var turnedMinimumConfidence = 0.4
    /// Recognition thresholds.
    public var policy = RecognitionPolicy()
    /// Mean brightness below which a photo is too dark to read.
    public var darkBrightness = 28.0
    /// Edge-to-contrast ratio (`Sharpness.edgeRatio`) below which a photo is too blurred.
    public var blurredEdgeRatio = 0.35
    /// Digit height, in decoded pixels, below which a confident reading still goes to a clerk.
    public var smallestTrustedDigitHeight = 16.0
    /// How cells are prepared for the recogniser (polarity comes from the locator).
    public var cellPreparation = CellPreparationOptions.standard

    /// Defaults.
    public init() {}
}

/// Everything a person needs to check what the reader saw (for `--debug-dir`).
public struct ReadEvidence: Sendable {
    /// The decoded photo (upright), as read: turned by `turn` when that reading was kept.
    public var photo: Photo?
    /// The quarter turn of the photo the reading was made in, or nil (as decoded).
    public var turn: Orientation?
    /// Threshold pictures and digit-shaped blobs of the locating pass (locating scale).
    public var locating = CounterLocator.Evidence()
    /// Downscale factor of the locating picture against the decoded photo.
    public var locatingScale = 1
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
    /// The second look's locator settings: a threshold window half as wide (see `read`).
    static let closeLocatorSettings: CounterLocator.Settings = {
        var settings = CounterLocator.Settings()
        settings.thresholdRadiusShare /= 2
        return settings
    }()
    /// The locator with a threshold window half as wide, for a second look (see `read`).
    private let closeLocator = CounterLocator(settings: PhotoReader.closeLocatorSettings)
    /// The locator that also looks into drum windows for faint digits, for photos where no
    /// row was found at all (see `read`).
    private let windowLocator: CounterLocator = {
        var settings = CounterLocator.Settings()
        settings.searchesSolidWindows = true
        return CounterLocator(settings: settings)
    }()
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
        let clock = ContinuousClock()
        let start = clock.now
        var options = settings.decode
        options.pixelFormat = .rgb
        // A 4000×3000 original is decoded at 1/2 in the DCT domain: digits stay large enough.
        options.minimumSize = (1000, 1000)
        let photo: Photo
        do {
            photo = try decode(bytes, options: options)
        } catch {
            let timings = ["decode": rounded(milliseconds(start.duration(to: clock.now)))]
            let reasons = [Reason(.decodeError, error.description)]
            return (ReadResult.rejected(file: file, id: id, reasons: reasons, timings: timings), ReadEvidence())
        }
        let timings = ["decode": rounded(milliseconds(start.duration(to: clock.now)))]
        let upright = try read(photo, file: file, id: id, timings: timings)
        guard settings.tryQuarterTurns, Self.mayBeSideways(upright.0, reviewBelow: settings.turnUnsureReviewBelow)
        else { return upright }
        return try readTurned(photo, file: file, id: id, timings: timings, upright: upright)
    }

    /// Whether a photo read upright may be a sideways one: a phone held flat over a meter
    /// records no reliable orientation, and messengers drop the EXIF tag, so the counter
    /// stands on end and no row of digits is found (or only a few of its shapes), or some
    /// other row is read, under `reviewBelow` confidence.
    static func mayBeSideways(_ result: ReadResult, reviewBelow: Double) -> Bool {
        switch result.status {
        case .rejected: result.reasons.first.map { [.noCounterFound, .tooFewDigits].contains($0.code) } ?? false
        case .review: result.confidence < reviewBelow
        case .accepted: false
        }
    }

    /// Reads `photo` turned a quarter each way and keeps the best of the three readings; a
    /// turned reading's counter outline is given in the coordinates of `photo` as decoded.
    private func readTurned(
        _ photo: Photo, file: String?, id: String?, timings: [String: Double],
        upright: (ReadResult, ReadEvidence)
    ) throws(OCRError) -> (ReadResult, ReadEvidence) {
        let clock = ContinuousClock()
        let start = clock.now
        var best = upright
        var confidences: [Orientation: Double] = [:]
        // Most photos without a counter upright show no row of digit shapes turned either, and
        // most upright photos read unsurely show none ranked above the row read: a look at the
        // locating scale spares them the whole reading. Turned either way, the same rows stand
        // (upside down), so one look serves both turns. (Rows found upright at full size are
        // ranked on another scale; a rejected photo's rows, cut off or too short, do not count.)
        let factor = locatingFactor(photo.image)
        let small = photo.image.grayDownscaled(by: factor)
        let uprightTop = upright.0.status == .review && upright.1.locatingScale == factor
            ? upright.1.candidates.first?.score ?? 0 : 0
        let rowsTurned = locator.locate(small.applying(.right)).contains { $0.score > uprightTop }
        for turn in [Orientation.right, .left] where rowsTurned {
            var turned = photo
            turned.image = photo.image.applying(turn)
            var (result, evidence) = try read(turned, file: file, id: id, timings: timings)
            if result.status != .rejected { confidences[turn] = result.confidence }
            // A reading this unsure of a photo that showed no counter upright is more often
            // lettering or a cut-off counter than the counter (turned tuning sets at 0.7 and
            // 0.5 size: 3 unreadable photos sent to a clerk, no right reading lost).
            guard result.confidence >= settings.turnedMinimumConfidence, Self.rank(result) > Self.rank(best.0)
            else { continue }
            let size = (width: Double(photo.image.width * photo.scale), height: Double(photo.image.height * photo.scale))
            result.counter = result.counter.map { Self.unturned($0, turn: turn, uprightSize: size) }
            evidence.turn = turn
            best = (result, evidence)
        }
        // Turned both ways, a counter often reads both times: once upside down, where 0, 1, 2,
        // 5 and 8 stay themselves and 6 and 9 swap (009610 read 019600, sure of itself). Only
        // a reading far surer than the other way up's is accepted.
        if best.0.status == .accepted, let kept = best.1.turn,
            let otherWay = confidences[kept == .right ? .left : .right],
            otherWay > best.0.confidence - settings.turnedReadingMargin
        {
            best.0.status = .review
            best.0.reasons.append(
                Reason(.lowConfidence, "the photo was sideways, and its counter reads both ways up"))
            best.0.reply = ReplyComposer.reply(
                status: .review, reading: best.0.reading?.value, unit: nil, reasons: best.0.reasons)
        }
        best.0.timings["quarter_turns"] = rounded(milliseconds(start.duration(to: clock.now)))
        return best
    }

    /// How much `image` is shrunk for locating: its long side to about `locateLongSide`.
    private func locatingFactor(_ image: Image) -> Int {
        max(1, Int((Double(max(image.width, image.height)) / settings.locateLongSide).rounded()))
    }

    /// Whether `candidate` has more positions than any register shows (`mostPositions`): tiles
    /// or stripes, neither read nor weighed as a counter.
    private func isLongerThanAnyRegister(_ candidate: CounterCandidate) -> Bool {
        candidate.cellCenters.count > settings.mostPositions
    }

    /// Orders readings for `readTurned`: any reading before a rejection (whose confidence is
    /// 0), accepted before review, then the more confident.
    static func rank(_ result: ReadResult) -> Double {
        let status: Double = switch result.status {
        case .accepted: 2
        case .review: 1
        case .rejected: 0
        }
        return status + result.confidence * 0.5
    }

    /// Corner coordinates (x, y pairs) found in a picture made by `Image.applying(turn)`,
    /// given in the picture before the turn, of `uprightSize`.
    static func unturned(_ corners: [Double], turn: Orientation, uprightSize: (width: Double, height: Double))
        -> [Double]
    {
        var result = corners
        for index in stride(from: 0, to: corners.count - 1, by: 2) {
            let (x, y) = (corners[index], corners[index + 1])
            switch turn {
            case .right: (result[index], result[index + 1]) = (y, uprightSize.height - x)
            case .left: (result[index], result[index + 1]) = (uprightSize.width - y, x)
            default: break
            }
        }
        return result
    }

    /// Reads a decoded, upright photo (see `read(bytes:file:id:)`); `timings` holds the decode's.
    private func read(_ photo: Photo, file: String?, id: String?, timings: [String: Double]) throws(OCRError)
        -> (ReadResult, ReadEvidence)
    {
        var timings = timings
        var evidence = ReadEvidence()
        evidence.photo = photo
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ stage: String) {
            let now = clock.now
            timings[stage] = rounded(milliseconds(mark.duration(to: now)))
            mark = now
        }
        let factor = locatingFactor(photo.image)
        let small = photo.image.grayDownscaled(by: factor)
        let brightness = small.mean
        lap("downscale")
        if brightness < settings.darkBrightness {
            lap("locate")
            let message = "mean brightness \(Int(brightness)) of 255"
            return (ReadResult.rejected(file: file, id: id, reasons: [Reason(.tooDark, message)], timings: timings), evidence)
        }
        if let sharpness = Sharpness.edgeRatio(small), sharpness < settings.blurredEdgeRatio {
            lap("locate")
            let message = "edges too soft (sharpness \(rounded(sharpness)), needs \(settings.blurredEdgeRatio))"
            return (ReadResult.rejected(file: file, id: id, reasons: [Reason(.blurred, message)], timings: timings), evidence)
        }
        var candidates = locator.locate(small, evidence: &evidence.locating).map { $0.scaled(by: Double(factor)) }
        evidence.locatingScale = factor
        // The search at full size, done at most once: both reasons below may ask for it.
        var fullSize: (candidates: [CounterCandidate], evidence: CounterLocator.Evidence)?
        // The photo in gray at full size, made at most once: both full-size searches read it.
        var fullGray: Image?
        func grayAtFullSize() -> Image {
            if let fullGray { return fullGray }
            let gray = photo.image.grayscale()
            fullGray = gray
            return gray
        }
        func locateAtFullSize() -> (candidates: [CounterCandidate], evidence: CounterLocator.Evidence) {
            if let fullSize { return fullSize }
            var fullEvidence = CounterLocator.Evidence()
            let found = (locator.locate(grayAtFullSize(), evidence: &fullEvidence), fullEvidence)
            fullSize = found
            return found
        }
        if factor > 1, candidates.allSatisfy({ $0.cellCenters.count < 4 }) {
            // Small counters (digits under ~20 px in the photo) vanish at the locating scale, or
            // leave only a few of their digits (the clearest drums); look again at full size.
            // Rare, so the cost is paid rarely.
            let full = locateAtFullSize()
            if full.candidates.contains(where: { $0.cellCenters.count >= 4 }) || (candidates.isEmpty && !full.candidates.isEmpty) {
                candidates = full.candidates
                evidence.locating = full.evidence
                evidence.locatingScale = 1
            }
        }
        for (step, time) in evidence.locating.milliseconds { timings["locate." + step] = rounded(time) }
        evidence.candidates = candidates
        /// The second look's search: a threshold window half as wide (see below).
        func locateClosely() -> (candidates: [CounterCandidate], evidence: CounterLocator.Evidence) {
            var closeEvidence = CounterLocator.Evidence()
            let found = closeLocator.locate(small, evidence: &closeEvidence).map { $0.scaled(by: Double(factor)) }
            return (found, closeEvidence)
        }
        // Nothing at all: perhaps small digits in a dark band (see the second look below).
        var secondLook = false
        if candidates.isEmpty {
            secondLook = true
            (candidates, evidence.locating) = locateClosely()
            evidence.candidates = candidates
        }
        if candidates.isEmpty {
            // Still nothing: small drums blurred so softly that their digits are lost in the
            // windows' ground at the threshold's scale. Each window, thresholded on its own at
            // full size, may still hold its digit.
            var windowEvidence = CounterLocator.Evidence()
            candidates = windowLocator.locate(grayAtFullSize(), evidence: &windowEvidence)
            if !candidates.isEmpty {
                (evidence.candidates, evidence.locating, evidence.locatingScale) = (candidates, windowEvidence, 1)
            }
        }
        lap("locate")
        guard !candidates.isEmpty else {
            return (
                ReadResult.rejected(file: file, id: id, reasons: [Reason(.noCounterFound, "no row of digits found")], timings: timings),
                evidence
            )
        }

        var pass = try readCandidates(candidates, in: photo.image)
        var (segmentTime, recognizeTime) = (pass.segmentTime, pass.recognizeTime)
        /// Reads `rows`, found another way, and takes them over when `isBetter` holds for
        /// their reading; whether it did.
        func readAlso(
            _ rows: [CounterCandidate], found: CounterLocator.Evidence, scale: Int, isBetter: (CandidatePass) -> Bool
        ) throws(OCRError) -> Bool {
            guard !rows.isEmpty else { return false }
            let again = try readCandidates(rows, in: photo.image)
            segmentTime += again.segmentTime
            recognizeTime += again.recognizeTime
            guard isBetter(again) else { return false }
            candidates = rows
            evidence.candidates = rows
            evidence.locating = found
            evidence.locatingScale = scale
            pass = again
            return true
        }
        let smallAtLocatingScale = pass.best.map {
            $0.crop.candidate.digitHeight / Double(evidence.locatingScale) < settings.smallestLocatedDigitHeight
        } ?? false
        if evidence.locatingScale > 1,
            pass.readsTooFew(settings.policy) || pass.readsFewerThanUsual(settings.policy) && smallAtLocatingScale
        {
            // Too few digits read at the locating scale (small or soft digits that came out
            // merged or broken there), or fewer than a counter usually has in a row of small
            // digits (the threshold there broke a drum's digit into specks, so the row ends
            // before it): the rows found at full size may read.
            let stageStart = clock.now
            let full = locateAtFullSize()
            timings["locate"] = (timings["locate"] ?? 0) + rounded(milliseconds(stageStart.duration(to: clock.now)))
            _ = try readAlso(full.candidates, found: full.evidence, scale: 1) { [pass] again in
                again.integerDigitsRead > pass.integerDigitsRead
            }
        }
        if !secondLook, pass.readsTooFew(settings.policy)
            || Self.isUnsure(pass.best?.reading, below: settings.secondLookBelowConfidence)
            || pass.readsFewerThanUsual(settings.policy)
        {
            // Small digits in windows cut from a dark band: the threshold's window, wide enough
            // for large digits, takes in the band, and only the digits' cores survive (rows of
            // specks too far apart to link), so lettering beside them is read instead. A second
            // look with a window half as wide finds them; taken when it reads better and is
            // not cut off by the photo's edge.
            let stageStart = clock.now
            let close = locateClosely()
            timings["locate"] = (timings["locate"] ?? 0) + rounded(milliseconds(stageStart.duration(to: clock.now)))
            let (width, height) = (photo.image.width, photo.image.height)
            secondLook = try readAlso(close.candidates, found: close.evidence, scale: factor) { [pass] again in
                guard let found = again.best, !Self.touchesBorder(found.crop.candidate, width: width, height: height)
                else { return false }
                let first = pass.best.map {
                    (row: $0.crop.candidate, cellsRead: $0.crop.cells.count, reading: $0.reading, score: $0.score)
                }
                return secondLookWins(
                    row: found.crop.candidate, reading: found.reading, score: found.score, over: first)
            }
            let noCounter = pass.best.map { Self.readsAsNoCounter($0.reading, assembler) } ?? false
            if factor > 1, pass.readsTooFew(settings.policy) || noCounter {
                // Small digits in a dark band, too small at the locating scale for even the
                // narrower window: the same look at full size (3 more right readings on the
                // tuning sets, where toggles or dials were read instead and rejected; one more
                // where a brand above the counter was read as a serial number).
                let lookStart = clock.now
                var closeEvidence = CounterLocator.Evidence()
                let found = closeLocator.locate(grayAtFullSize(), evidence: &closeEvidence)
                timings["locate"] = (timings["locate"] ?? 0) + rounded(milliseconds(lookStart.duration(to: clock.now)))
                if try readAlso(found, found: closeEvidence, scale: 1, isBetter: { [pass] again in
                    guard let row = again.best, !Self.touchesBorder(row.crop.candidate, width: width, height: height)
                    else { return false }
                    // A serial number's row is outdone by a clear reading of a counter.
                    if noCounter { return assembler.judge(row.reading).0 == .accepted && !Self.onlyOnes(row.reading) }
                    return again.integerDigitsRead > pass.integerDigitsRead
                }) {
                    secondLook = true
                }
            }
        }
        /// Reads `longer` (the best row with one more position at `end`) and takes its reading
        /// when the position added reads as a digit that stays: not a "1" (the ink past a row's
        /// end is most often a window's side or a frame's edge, which reads as one: three of four
        /// wrong digits added on the checked seeds, and no right one), and not past the most
        /// integer digits a register has. Whether it was taken.
        func takeOneMorePosition(_ longer: CounterCandidate, at end: RowEnd) throws(OCRError) -> Bool {
            let again = try readCandidates([longer], in: photo.image)
            (segmentTime, recognizeTime) = (segmentTime + again.segmentTime, recognizeTime + again.recognizeTime)
            guard let row = again.best, again.integerDigitsRead > pass.integerDigitsRead, !row.droppedEnds,
                again.integerDigitsRead <= settings.policy.mostIntegerDigits,
                (end == .start ? row.reading.digits.first : row.reading.digits.last)?.text != "1"
            else { return false }
            pass.best = row
            return true
        }
        func fitsThePhoto(_ row: CounterCandidate) -> Bool {
            !Self.touchesBorder(row, width: photo.image.width, height: photo.image.height)
        }
        // A last drum caught mid-roll, or blurred into its window, is neither a digit shape nor
        // ink the locator follows: the row ends one drum short, and a five-drum counter reads
        // as four digits with no fraction. So does a seven-segment digit whose segments the
        // threshold broke apart, where ink past the row's end shows. One position more is read
        // at that end; a digit read there clearly enough to stay is taken, for a clerk.
        var readPastRowEnd = false
        if recognizer.recognizesNonDigits, let best = pass.best {
            // Past the fraction digits, a digit more is one more fraction digit: no integer
            // digit can be missing there.
            let hasFraction = best.reading.digits.contains(where: \.isFraction)
            let short = pass.readsFewerThanUsual(settings.policy) && !hasFraction
            if let end = short ? .end : best.crop.digitMayBeMissing, end == .start || !hasFraction {
                let longer = Self.withOneMorePosition(best.crop.candidate, at: end)
                if fitsThePhoto(longer) { readPastRowEnd = try takeOneMorePosition(longer, at: end) }
            }
        }
        // A first digit the row did not take in (a faint or blurred leading drum, an LCD's
        // dim first zero) leaves a confident reading a digit short: every wrong acceptance on
        // the seeds read along the way was one. Before accepting, the position before the
        // first is read; a digit there sends the reading to a clerk, taken as above.
        var digitBeforeFirst = false
        if !readPastRowEnd, recognizer.recognizesNonDigits, let best = pass.best, best.crop.digitMayBeMissing == nil,
            !best.droppedEnds, assembler.judge(best.reading).0 == .accepted
        {
            let longer = Self.withOneMorePosition(best.crop.candidate, at: .start)
            if fitsThePhoto(longer), try readsDigitFirst(longer, in: photo.image) {
                digitBeforeFirst = true
                _ = try takeOneMorePosition(longer, at: .start)
            }
        }
        let (notDigitRows, read) = (pass.notDigitRows, pass.read)
        timings["segment"] = rounded(segmentTime)
        timings["recognize"] = rounded(recognizeTime)
        mark = clock.now
        // The best row left being bars read as ones means no counter was found at all.
        guard var best = pass.best, !Self.readsAsBars(best.reading, blanksAreNoDigit: recognizer.recognizesNonDigits)
        else {
            let message = pass.best == nil ? "no row of digits found" : "only a row of bars (read as ones) found"
            return (
                ReadResult.rejected(file: file, id: id, reasons: [Reason(.noCounterFound, message)], timings: timings),
                evidence
            )
        }
        evidence.crop = best.crop
        evidence.preparedCells = best.cells
        var (status, reasons) = assembler.judge(best.reading)
        if Self.touchesBorder(best.crop.candidate, width: photo.image.width, height: photo.image.height) {
            // Digits beyond the edge are missing; whatever was read is not the whole reading.
            status = .rejected
            reasons.insert(Reason(.counterCutOff, "the counter runs into the edge of the photo"), at: 0)
        } else if Self.mayGoOnPastRightEdge(best.crop.candidate, reading: best.reading, width: photo.image.width) {
            status = .rejected
            reasons.insert(Reason(.counterCutOff, "the counter may go on past the right edge of the photo"), at: 0)
        }
        // Rows over the read one are the same counter seen another way (its drum windows), not
        // a larger row elsewhere on the photo; nor is a row of three, too short for a counter
        // (sub-dials, a logo's letters: on the tuning sets such rows held back 14 correct
        // readings and no wrong one).
        var larger = candidates.indices.filter {
            !notDigitRows.contains($0) && !candidates[$0].coversMuchOf(best.crop.candidate)
                && candidates[$0].digitHeight > 1.25 * best.crop.candidate.digitHeight
                && candidates[$0].cellCenters.count >= 4 && !isLongerThanAnyRegister(candidates[$0])
        }
        if status == .accepted, !larger.isEmpty, recognizer.recognizesNonDigits {
            // A larger row that was never read may be no digits at all (dials, circuit
            // breakers, tiles): a recogniser that knows "no digit" looks at it now.
            let stageStart = clock.now
            var holding: [Int] = []
            for index in larger {
                if read.contains(index) {
                    holding.append(index)
                } else if try !readsAsNoDigits(candidates[index], in: photo.image) {
                    holding.append(index)
                }
            }
            larger = holding
            recognizeTime += milliseconds(stageStart.duration(to: clock.now))
            timings["recognize"] = rounded(recognizeTime)
        }
        if status == .accepted, !larger.isEmpty {
            // The engine read a smaller row of digits better than the most counter-like one:
            // typically a serial number ("Nr. 63510438") beside a counter it could not read.
            // Never bill a serial number.
            status = .review
            reasons.append(
                Reason(.lowConfidence, "a larger row of digits could not be read; the smaller one may be a serial number"))
        }
        if status == .accepted, secondLook,
            best.reading.digits.contains(where: { !$0.isFraction && $0.confidence < settings.secondLookAcceptConfidence })
        {
            // Found only on a second look at a photo the first look read badly: a hard photo,
            // where a sure-looking digit is wrong more often than elsewhere.
            status = .review
            reasons.append(Reason(.lowConfidence, "counter found on a second look, and not every digit is clear"))
        }
        if status == .accepted,
            Self.longerRowReadsMore(
                best.reading.digits.map(\.text).joined(), row: best.crop.candidate, cellsRead: best.crop.cells.count,
                rows: pass.rows)
        {
            status = .review
            reasons.append(Reason(.lowConfidence, "a longer row over the same counter reads more digits"))
        }
        let digitHeight = best.crop.candidate.digitHeight
        if status == .accepted, digitHeight < settings.smallestTrustedDigitHeight {
            // At a dozen pixels a digit's strokes are a pixel or two wide, and 9 and 0, 8 and 0
            // differ by a few pixels: the recogniser is sure of itself and wrong (photos scaled
            // to 0.6 of the samples: 2 of 6 accepted readings with digits under 16 px wrong).
            status = .review
            reasons.append(Reason(.lowConfidence, "the digits are only \(Int(digitHeight)) px tall, too small to be sure"))
        }
        if status == .accepted, let end = best.crop.digitMayBeMissing {
            // A digit the locator could not take into the row (run into its neighbour, or a
            // seven-segment "1" with its segments apart) leaves a confident reading one digit
            // short: the one mistake a clerk is there to catch.
            status = .review
            let side = end == .start ? "before the first" : "after the last"
            reasons.append(Reason(.lowConfidence, "ink \(side) digit may be a digit that was not read"))
        }
        if status == .accepted, digitBeforeFirst {
            status = .review
            reasons.append(Reason(.lowConfidence, "the position before the first digit reads as a digit"))
        }
        if status == .accepted, readPastRowEnd {
            status = .review
            reasons.append(Reason(.lowConfidence, "a digit was read past the end of the row found"))
        }
        if status == .accepted, best.droppedEnds {
            status = .review
            reasons.append(Reason(.lowConfidence, "ink in the row was read as no digit and left out"))
        }
        if status == .accepted, let mark = best.crop.possibleDecimalAfter.first {
            // A missed decimal point multiplies the reading by a power of ten; a confident
            // reading cannot tell, so a clerk looks at the mark.
            status = .review
            reasons.append(Reason(.lowConfidence, "a faint mark after digit \(mark + 1) may be a decimal point"))
        }
        if status == .accepted, let mark = best.crop.unconfirmedDecimalAfter {
            // A speck taken for a decimal point divides the reading by a power of ten.
            status = .review
            reasons.append(Reason(.lowConfidence, "the decimal mark after digit \(mark + 1) is not clear"))
        }
        if status != .rejected, recognizer.readsLines {
            // Second opinion: the same cells read as one line. Stock models misread single
            // digits with high confidence now and then, and rarely make the same mistake in
            // both modes. Where the two disagree, the more confident one is reported and the
            // other kept as its alternative; any disagreement sends the photo to a clerk.
            let stageStart = clock.now
            let line = try recognizer.recognizeLine(Self.line(of: best.cells))
            timings["recognize"] = rounded(recognizeTime + milliseconds(stageStart.duration(to: clock.now)))
            let cellText = best.reading.digits.map(\.text).joined()
            let lineText = line.map(\.text).joined()
            if lineText != cellText {
                if line.count == best.reading.digits.count {
                    var voted = Self.vote(cells: best.reading.digits, line: line)
                    // A third reading settles each disagreement: the cell prepared another way
                    // (binarised, edges cleaned), read on its own. Two of three win.
                    for index in voted.indices
                    where !voted[index].isRolling && best.reading.digits[index].text != line[index].text {
                        let third = try recognizer.recognizeDigit(Self.alternativePreparation(best.crop.cells[index]))
                        let cellText = best.reading.digits[index].text
                        if third.text == cellText || third.text == line[index].text, third.text != voted[index].text {
                            let previous = voted[index]
                            voted[index].text = third.text
                            voted[index].confidence = max(third.confidence, third.text == cellText
                                ? best.reading.digits[index].confidence : line[index].confidence)
                            voted[index].alternatives.removeAll { $0.text == third.text }
                            voted[index].alternatives.insert(.init(previous.text, previous.confidence), at: 0)
                        }
                    }
                    timings["recognize"] = rounded(recognizeTime + milliseconds(stageStart.duration(to: clock.now)))
                    best.reading = assembler.assemble(voted)
                    (status, reasons) = assembler.judge(best.reading)
                }
                if status == .accepted { status = .review }
                reasons.append(
                    Reason(.lowConfidence, "cell-by-cell reading \(cellText) and line reading \(lineText) differ"))
            }
            // The second opinion is recognition time; "assemble" keeps only what follows.
            timings["recognize"] = rounded(recognizeTime + milliseconds(stageStart.duration(to: clock.now)))
            mark = clock.now
        }
        let reading = best.reading
        let hasReading = status != .rejected
        lap("assemble")
        var result = ReadResult(
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
        result.counter = Self.corners(of: best.crop, scale: Double(photo.scale))
        return (result, evidence)
    }

    /// What reading a photo's counter candidates gave: the best reading, and which rows were
    /// read and which read as no digits.
    struct CandidatePass {
        /// The reading chosen so far, with its crop, prepared cells, score and whether end
        /// positions read as no digit were left out.
        var best: (reading: AssembledReading, crop: CounterCrop, cells: [Image], score: Double, droppedEnds: Bool)?
        /// Rows a recogniser with a no-digit class read as mostly no digits: lettering, tiles.
        var notDigitRows = Set<Int>()
        /// Indices of the candidates read.
        var read = Set<Int>()
        /// Every row read, with the digits it read.
        var rows: [(candidate: CounterCandidate, text: String)] = []
        var segmentTime = 0.0
        var recognizeTime = 0.0

        /// Integer digits the best reading has (0 without one; see `integerDigits(of:)`).
        var integerDigitsRead: Int { best.map { PhotoReader.integerDigits(of: $0.reading) } ?? 0 }

        /// Whether the best reading has fewer integer digits than a counter usually shows: the
        /// row may have been cut short (a first or last digit not taken into it).
        func readsFewerThanUsual(_ policy: RecognitionPolicy) -> Bool {
            best != nil && integerDigitsRead < policy.usualIntegerDigits
        }

        /// Whether the best reading has fewer digits than `policy` takes for a counter (a row of
        /// bars always does: it reads no integer digits).
        func readsTooFew(_ policy: RecognitionPolicy) -> Bool {
            guard let best else { return true }
            return integerDigitsRead < policy.minimumIntegerDigits || best.reading.digits.count < policy.minimumDigits
        }
    }

    /// Positions of `reading` read as a digit: all of them, and the integer ones.
    static func digitsRead(_ reading: AssembledReading) -> (all: Int, integer: Int) {
        let read = reading.digits.filter { !$0.text.isEmpty }
        return (read.count, read.count { !$0.isFraction })
    }

    /// Reads the best-ranked candidates of `image` until one reads confidently, and picks the
    /// best reading.
    private func readCandidates(_ candidates: [CounterCandidate], in image: Image) throws(OCRError) -> CandidatePass {
        let clock = ContinuousClock()
        var pass = CandidatePass()
        func isLonger(_ candidate: CounterCandidate, than crop: CounterCrop) -> Bool {
            Self.isLonger(candidate, than: crop.candidate, cellsRead: crop.cells.count)
        }
        // The candidates looked at: the best-ranked `candidatesToRead`, and one more for each
        // row among them read as no digits (a wall of tiles can outrank a clear LCD by twenty
        // rows of empty squares).
        var lookedAt = min(candidates.count, settings.candidatesToRead)
        for (candidateIndex, candidate) in candidates.enumerated() where !isLongerThanAnyRegister(candidate) {
            if candidateIndex >= lookedAt { break }
            // A reading scores the locator's score times its confidence squared, at most the
            // locator's score: a candidate ranked no higher than the best reading so far cannot
            // win, so it is not read (the same choice, without its OCR calls); unless it is
            // the best reading's counter with more positions.
            let longer = pass.best.map { isLonger(candidate, than: $0.crop) } ?? false
            // A best reading that is no counter (lettering read as eight digits, a serial
            // number) does not end the search: a lower-ranked row that reads clearly replaces it.
            let bestIsNoCounter = pass.best.map { Self.readsAsNoCounter($0.reading, assembler) } ?? false
            if let best = pass.best, candidate.score <= best.score, !longer, !bestIsNoCounter { continue }
            pass.read.insert(candidateIndex)
            var stageStart = clock.now
            var crop = extractor.extract(candidate, from: image)
            var prepared = crop.cells.map(prepare)
            pass.segmentTime += milliseconds(stageStart.duration(to: clock.now))
            stageStart = clock.now
            var positions: [DigitEvidence] = []
            for (index, (cell, image)) in zip(crop.cells, prepared).enumerated() {
                if cell.isRolling {
                    let (evidence, rollingImage) = try readRolling(cell)
                    positions.append(evidence)
                    prepared[index] = rollingImage
                    continue
                }
                let guess = try recognizer.recognizeDigit(image)
                positions.append(
                    DigitEvidence(
                        text: guess.text, confidence: guess.confidence,
                        alternatives: guess.alternatives.map { .init($0.text, $0.confidence) },
                        isFraction: cell.isFraction, isRolling: false))
            }
            pass.recognizeTime += milliseconds(stageStart.duration(to: clock.now))
            // Positions the locator added past the row's ends for digit-like ink, which a
            // recogniser with a no-digit class reads as no digit, or as a digit it is far from
            // sure of: a window frame or a shadow. They are left out of the reading, but the
            // reading goes to a clerk, in case the ink was a digit the recogniser failed on
            // (the reading would be one digit short).
            var kept = Array(
                recognizer.recognizesNonDigits
                    ? Self.trimmed(positions.count) {
                        Self.isDoubtfulAddition(positions[$0], inferred: crop.cells[$0].isInferred, below: settings.inferredEndConfidence)
                    }
                    : 0..<positions.count)
            if recognizer.recognizesNonDigits {
                // So is a decimal comma's room inside the row, read as no digit.
                kept.removeAll { Self.isDecimalMarkRoom($0, of: crop, read: positions) }
            }
            // Fraction drums are not billed: an empty one past the end needs no clerk. Nor do
            // positions added for ink only the faint pass saw: the usual passes found no digit
            // there, as without them.
            let droppedEnds = Self.dropsIntegerCells(of: crop, keeping: kept)
            if kept.count < positions.count {
                crop = crop.keepingCells(kept)
                positions = kept.map { positions[$0] }
                prepared = kept.map { prepared[$0] }
            }
            // With a stock engine, such positions stay even when they read as nothing: it
            // reads many seven-segment digits as nothing, and an unread position sends the
            // reading to a clerk.
            let reading = assembler.assemble(positions)
            // A row of bars read as ones is no counter either (any recogniser), and must not end
            // the search by reading confidently.
            let bars = Self.onlyOnes(reading)
            if bars || recognizer.recognizesNonDigits && Self.readsNoDigits(positions.map(\.text)) {
                pass.notDigitRows.insert(candidateIndex)
                lookedAt = min(candidates.count, lookedAt + 1)
            }
            pass.rows.append((crop.candidate, reading.digits.map(\.text).joined()))
            // The locator ranks by shape (size, length, regularity); OCR confidence tells digits
            // from brand letters, which look just as regular.
            let meanConfidence = Self.meanConfidence(reading)
            var score = candidate.score * meanConfidence * meanConfidence
            if bars { score *= settings.onlyOnesRowWeight }
            // A row running into the photo's edge can only be rejected as cut off; a whole row
            // inside the photo is the likelier counter (rows at the edge are mostly circuit
            // breakers, tiles, a neighbouring meter), so it wins at half the score and the
            // search goes on past an edge row that reads well.
            let cutOff = Self.touchesBorder(crop.candidate, width: image.width, height: image.height)
            if cutOff { score *= settings.cutOffRowWeight }
            // The same counter read with more digits lacks none the other has (see `readsMore`).
            let moreDigits = longer && pass.best.map { readsMore(reading, than: $0.reading) } ?? false
            let accepted = assembler.judge(reading).0 == .accepted
            let replacesNoCounter = bestIsNoCounter && !bars && accepted
            if pass.best == nil || score > pass.best!.score || moreDigits || replacesNoCounter {
                pass.best = (reading, crop, prepared, max(score, pass.best?.score ?? 0), droppedEnds)
                // A found shape at an end that reads as no digit (a frame bar, a screw head) is
                // left out of the reading too, for a clerk; it still counts in the row's score,
                // so it changes what is read, not which row.
                let bare = Array(
                    recognizer.recognizesNonDigits
                        ? Self.trimmed(positions.count) { positions[$0].text.isEmpty } : 0..<positions.count)
                if bare.count < positions.count {
                    pass.best = (
                        assembler.assemble(bare.map { positions[$0] }), crop.keepingCells(bare), bare.map { prepared[$0] },
                        pass.best!.score, droppedEnds || Self.dropsIntegerCells(of: crop, keeping: bare)
                    )
                }
            }
            if accepted, !droppedEnds, !cutOff, !bars,
                !candidates[(candidateIndex + 1)..<lookedAt].contains(where: { isLonger($0, than: crop) })
            {
                break
            }
        }
        return pass
    }

    /// Whether the second look's best reading (of `row`, scoring `score`) replaces the first
    /// look's: it must read no fewer integer digits (counted up to the usual number, and not
    /// against a poor first reading; see below), not be rejected where the first is accepted,
    /// and score higher or be the same counter as a longer row that reads more (as in
    /// `readCandidates`: a faint first digit lowers its score, but the shorter row lacks that
    /// digit).
    func secondLookWins(
        row: CounterCandidate, reading: AssembledReading, score: Double,
        over first: (row: CounterCandidate, cellsRead: Int, reading: AssembledReading, score: Double)?
    ) -> Bool {
        guard let first else { return score > 0 }
        // Digits past the usual count prove nothing: a row of ten that took in lettering does
        // not outdo a counter's seven. Nor does a reading with integer positions it could not
        // read (a wrong row, or lettering), or an unsure one scoring less than half as much
        // (small blurred digits read 141864 for 0013.628): a sure reading of enough digits
        // outdoes it. With fewer than the usual integer digits it goes to a clerk anyway.
        let usual = settings.policy.usualIntegerDigits
        let (now, before) = (Self.integerDigits(of: reading), Self.integerDigits(of: first.reading))
        let firstIsPoor = first.reading.digits.contains { !$0.isFraction && $0.text.isEmpty }
            || Self.isUnsure(first.reading, below: settings.secondLookBelowConfidence) && score >= 2 * first.score
        let sureInstead = firstIsPoor && Self.meanConfidence(reading) >= settings.policy.acceptConfidence
            && now >= settings.policy.minimumIntegerDigits
        guard min(now, usual) >= min(before, usual) || sureInstead else { return false }
        // An accepted first reading does not give way to one that would be rejected: the same
        // drums found again without their red make a serial number's row of plain digits.
        if assembler.judge(first.reading).0 == .accepted, assembler.judge(reading).0 == .rejected { return false }
        return score > first.score
            || Self.isLonger(row, than: first.row, cellsRead: first.cellsRead) && readsMore(reading, than: first.reading)
    }

    /// Integer digits `reading` has; none when it is a row of bars read as ones (a barcode's
    /// many "digits" must not outweigh a real counter found later).
    static func integerDigits(of reading: AssembledReading) -> Int {
        onlyOnes(reading) ? 0 : digitsRead(reading).integer
    }

    /// Whether `reading`, of a longer row of the same counter, reads more digits than `before`,
    /// no fewer integer ones, as surely as an accepted reading, without a digit that is a
    /// guess (a comma's room or a drum's frame cut as a position of its own), and is not
    /// rejected (the housing's edge read as a ninth digit makes a serial number's length).
    func readsMore(_ reading: AssembledReading, than before: AssembledReading) -> Bool {
        let (now, then) = (Self.digitsRead(reading), Self.digitsRead(before))
        return now.all > then.all && now.integer >= then.integer
            && Self.meanConfidence(reading) >= settings.policy.acceptConfidence
            && !reading.digits.contains { !$0.isRolling && $0.confidence < settings.guessBelowConfidence }
            && assembler.judge(reading).0 != .rejected
    }

    /// Whether `candidate` is the same counter as the row `read` (of which `cellsRead` cells
    /// were read) with more positions: the digits beside a row of their drum windows, one of
    /// which did not come out as a window. At the same pitch: more positions at a narrower
    /// one cut some digits twice.
    static func isLonger(_ candidate: CounterCandidate, than read: CounterCandidate, cellsRead: Int) -> Bool {
        candidate.cellCenters.count > cellsRead && candidate.coversMuchOf(read)
            && abs(candidate.pitch - read.pitch) <= 0.15 * read.pitch
    }

    /// Whether one of `rows` (rows read, with their digits) is the counter of `row` (`text`
    /// read from `cellsRead` of its cells) as a row of one or two more positions, with `text`'s
    /// digits and more at an end: it read less surely, or it would have won, but the clearer
    /// reading may lack its first or last digit (a small LCD's leading "0"). Longer rows that
    /// read other digits, or many more, took in a frame or lettering.
    static func longerRowReadsMore(
        _ text: String, row: CounterCandidate, cellsRead: Int, rows: [(candidate: CounterCandidate, text: String)]
    ) -> Bool {
        rows.contains {
            isLonger($0.candidate, than: row, cellsRead: cellsRead)
                && (1...2).contains($0.text.count - text.count) && $0.text.contains(text)
        }
    }

    /// Whether a position the locator only inferred from ink (no digit shape of its own) reads
    /// as no digit or as a digit under `below` confidence: at a row's end, such ink is more
    /// often a frame or a shadow than a digit (7003863 read for 003863, the "7" at 0.34).
    static func isDoubtfulAddition(_ position: DigitEvidence, inferred: Bool, below: Double) -> Bool {
        inferred && (position.text.isEmpty || position.confidence < below)
    }

    /// `row` with one more position a pitch past its `end`, along the row, in the ink of the
    /// position it follows; inferred, and faint nowhere.
    static func withOneMorePosition(_ row: CounterCandidate, at end: RowEnd) -> CounterCandidate {
        guard let first = row.cellCenters.first, let last = row.cellCenters.last,
            let firstInk = row.darkInk.first, let lastInk = row.darkInk.last
        else { return row }
        let step = Point(x: row.pitch * cos(row.angle), y: row.pitch * sin(row.angle))
        var longer = row
        switch end {
        case .end:
            longer.cellCenters.append(Point(x: last.x + step.x, y: last.y + step.y))
            longer.inferred.append(true)
            longer.darkInk.append(lastInk)
        case .start:
            longer.cellCenters.insert(Point(x: first.x - step.x, y: first.y - step.y), at: 0)
            longer.inferred.insert(true, at: 0)
            longer.darkInk.insert(firstInk, at: 0)
            longer.decimalAfter = row.decimalAfter.map { $0 + 1 }
            longer.faintlyInferredLeading = 0
        }
        return longer
    }

    /// Whether position `index` is the room a decimal comma takes, not a digit: a position the
    /// locator only inferred, read as no digit, after a digit read and right before the
    /// fraction, split there for a mark (seen, or faint) rather than for a change of ink. A
    /// comma given a pitch of its own leaves a gap the locator fills with a position (0064?.388
    /// read for 0064,388); past a counter's dark band the gap is the band's end.
    static func isDecimalMarkRoom(_ index: Int, of crop: CounterCrop, read positions: [DigitEvidence]) -> Bool {
        let cells = crop.cells
        let darkInk = crop.candidate.darkInk
        guard index > 0, index + 1 < cells.count, cells[index + 1].isFraction, !cells[index].isFraction,
            darkInk[index - 1] == darkInk[index + 1]
        else { return false }
        return cells[index].isInferred && positions[index].text.isEmpty && !positions[index - 1].text.isEmpty
    }

    /// Whether keeping only `kept` of the crop's cells leaves out an integer one, other than
    /// those the locator added for ink the faint pass alone saw (`faintlyInferredLeading`).
    static func dropsIntegerCells(of crop: CounterCrop, keeping kept: [Int]) -> Bool {
        crop.cells.indices.contains {
            $0 >= crop.candidate.faintlyInferredLeading && !kept.contains($0) && !crop.cells[$0].isFraction
        }
    }

    /// The positions 0..<count left when those at either end for which `isLeftOut` holds are
    /// dropped, one at least kept.
    static func trimmed(_ count: Int, dropping isLeftOut: (Int) -> Bool) -> Range<Int> {
        var kept = 0..<count
        while kept.count > 1, isLeftOut(kept.upperBound - 1) { kept = kept.lowerBound..<(kept.upperBound - 1) }
        while kept.count > 1, isLeftOut(kept.lowerBound) { kept = (kept.lowerBound + 1)..<kept.upperBound }
        return kept
    }

    /// Whether the row of cells reaches the picture's edge, so that more digits may lie beyond.
    static func touchesBorder(_ candidate: CounterCandidate, width: Int, height: Int) -> Bool {
        let margin = 0.6 * candidate.pitch
        let halfHeight = 0.5 * candidate.digitHeight
        for center in [candidate.cellCenters.first, candidate.cellCenters.last].compactMap({ $0 }) {
            if center.x < margin || center.x > Double(width) - margin { return true }
            if center.y < halfHeight || center.y > Double(height) - halfHeight { return true }
        }
        return false
    }

    /// Whether a reading without fraction digits stops less than a cell short of the photo's
    /// right edge, so that its last digits, or the units digit itself, may lie beyond.
    ///
    /// Only the right end: the fraction drums, a decimal point or the unit usually follow the
    /// integer digits, so a photo rarely stops just after them unless it cut the counter (on
    /// the tuning sets no readable photo did), while the left end is often framed that
    /// tightly (ten readable tuning photos, all read right). Fraction digits read mean the
    /// integer digits all showed.
    static func mayGoOnPastRightEdge(_ candidate: CounterCandidate, reading: AssembledReading, width: Int) -> Bool {
        guard reading.fraction == nil, let last = candidate.cellCenters.last else { return false }
        let nextCenter = last.x + candidate.pitch * cos(candidate.angle)
        return nextCenter + 0.5 * candidate.pitch > Double(width)
    }

    /// The read cells' outline in full-size photo coordinates.
    static func corners(of crop: CounterCrop, scale: Double) -> [Double]? {
        let candidate = crop.candidate
        guard let first = crop.cells.first, let last = crop.cells.last else { return nil }
        let c = cos(candidate.angle)
        let s = sin(candidate.angle)
        // Cell frames are in strip coordinates, measured from the strip's centre.
        let mid = crop.stripCenter
        let halfWidth = Double(crop.strip.width) / 2
        let halfHeight = Double(crop.strip.height) / 2
        let toPhoto = 1 / crop.stripScale
        let left = (Double(first.frame.x) - halfWidth) * toPhoto
        let right = (Double(last.frame.x + last.frame.width) - halfWidth) * toPhoto
        let top = (Double(first.frame.y) - halfHeight) * toPhoto
        let bottom = (Double(first.frame.y + first.frame.height) - halfHeight) * toPhoto
        var result: [Double] = []
        for (u, v) in [(left, top), (right, top), (right, bottom), (left, bottom)] {
            result.append(rounded((mid.x + u * c - v * s) * scale))
            result.append(rounded((mid.y + u * s + v * c) * scale))
        }
        return result
    }

    /// Whether `row`'s first position, which the locator only inferred, reads as a digit that
    /// would stay in the reading (see `isDoubtfulAddition`). Only it and the two positions
    /// after it are cut out: reading the whole row again for every accepted photo cost a
    /// tenth of the throughput.
    private func readsDigitFirst(_ row: CounterCandidate, in image: Image) throws(OCRError) -> Bool {
        var head = row
        let kept = min(3, row.cellCenters.count)
        head.cellCenters = Array(row.cellCenters.prefix(kept))
        head.inferred = Array(row.inferred.prefix(kept))
        head.darkInk = Array(row.darkInk.prefix(kept))
        head.decimalAfter = row.decimalAfter.flatMap { $0 + 1 < kept ? $0 : nil }
        guard let cell = extractor.extract(head, from: image).cells.first else { return false }
        let position: DigitEvidence
        if cell.isRolling {
            position = try readRolling(cell).0
        } else {
            let guess = try recognizer.recognizeDigit(prepare(cell))
            position = DigitEvidence(text: guess.text, confidence: guess.confidence, isFraction: false)
        }
        return !Self.isDoubtfulAddition(position, inferred: true, below: settings.inferredEndConfidence)
    }

    /// Whether `candidate`'s cells, read one by one, are mostly "no digit".
    private func readsAsNoDigits(_ candidate: CounterCandidate, in image: Image) throws(OCRError) -> Bool {
        var texts: [String] = []
        for cell in extractor.extract(candidate, from: image).cells { texts.append(try recognizer.recognizeDigit(prepare(cell)).text) }
        return Self.readsNoDigits(texts)
    }

    /// Whether the mean confidence of `reading`'s positions is under `threshold` (no reading:
    /// false, nothing to improve on).
    static func isUnsure(_ reading: AssembledReading?, below threshold: Double) -> Bool {
        guard let reading, !reading.digits.isEmpty else { return false }
        return meanConfidence(reading) < threshold
    }

    /// Mean confidence of `reading`'s positions (0 without any).
    static func meanConfidence(_ reading: AssembledReading) -> Double {
        reading.digits.map(\.confidence).reduce(0, +) / Double(max(1, reading.digits.count))
    }

    /// Every position read, and read as "1": the bars of a barcode, circuit breakers' toggles
    /// or a fence, which a recogniser takes for ones; a counter showing only ones is rare.
    static func onlyOnes(_ reading: AssembledReading) -> Bool {
        reading.digits.count >= 3 && reading.digits.allSatisfy { $0.text == "1" }
    }

    /// Whether `reading` is a row of bars: every position read as "1" (`onlyOnes`), or, by a
    /// recogniser that reads "no digit", as "1" or nothing with at least three ones (the bars
    /// of `readsNoDigits`: an unread counter reads other digits here and there).
    static func readsAsBars(_ reading: AssembledReading, blanksAreNoDigit: Bool) -> Bool {
        let texts = reading.digits.map(\.text)
        return onlyOnes(reading) || blanksAreNoDigit && onesAndNothing(texts) && texts.count(where: { $0 == "1" }) >= 3
    }

    /// At least three positions, each read as "1" or as nothing: bars, not digits.
    static func onesAndNothing(_ texts: [String]) -> Bool {
        texts.count >= 3 && texts.allSatisfy { $0.isEmpty || $0 == "1" }
    }

    /// Whether `reading` is judged to be no counter at all (a serial number's row of digits).
    static func readsAsNoCounter(_ reading: AssembledReading, _ assembler: ReadingAssembler) -> Bool {
        assembler.judge(reading).1.contains { $0.code == .noCounterFound }
    }

    /// A row read by a recogniser with a no-digit class that holds no digits: more than half
    /// of its positions read as nothing (lettering, tiles, dials), or only ones and nothing
    /// (wall tiles' joints, a fence, a barcode's bars: never an unread counter, whose digits
    /// read as something other than ones here and there).
    static func readsNoDigits(_ texts: [String]) -> Bool {
        2 * texts.count(where: \.isEmpty) > texts.count || onesAndNothing(texts)
    }

    /// Reads a drum caught between two digits from its larger visible piece. A piece in the
    /// upper part of the window is the digit rolling out (the lower of the two); one in the
    /// lower part is the digit rolling in. Both neighbours go into the evidence, lower first,
    /// so the rolling rule can pick.
    private func readRolling(_ cell: DigitCell) throws(OCRError) -> (DigitEvidence, Image) {
        let rows = cell.roll.dominantRows
        let margin = max(1, cell.image.height / 12)
        let top = max(0, rows.lowerBound - margin)
        let bottom = min(cell.image.height, rows.upperBound + margin)
        let piece = cell.image.cropped(x: 0, y: top, width: cell.image.width, height: bottom - top)
        var pieceCell = cell
        pieceCell.image = piece
        let image = prepare(pieceCell)
        let guess = try recognizer.recognizeDigit(image)
        guard let digit = Int(guess.text) else {
            return (DigitEvidence(text: "", confidence: 0, isFraction: cell.isFraction, isRolling: true), image)
        }
        let (lower, upper) = cell.roll.dominantIsUpper ? (digit, (digit + 1) % 10) : ((digit + 9) % 10, digit)
        // A cell that reads, whole, as one clear digit that is neither neighbour is no drum
        // between two digits: a seven-segment "8" whose middle bar is faint looks like one, and
        // its dominant part reads "0". Its own reading stands, for a clerk to confirm.
        let wholeImage = prepare(cell)
        let whole = try recognizer.recognizeDigit(wholeImage)
        if let evidence = Self.wholeReading(
            whole, overriding: (lower, upper), rollingConfidence: guess.confidence, isFraction: cell.isFraction,
            acceptConfidence: settings.policy.acceptConfidence,
            inferred: cell.isInferred && recognizer.recognizesNonDigits)
        {
            return (evidence, wholeImage)
        }
        let evidence = DigitEvidence(
            text: String(lower), confidence: guess.confidence,
            alternatives: [.init(String(upper), guess.confidence * 0.9)],
            isFraction: cell.isFraction, isRolling: true)
        return (evidence, image)
    }

    /// The evidence of a cell taken for a rolling drum when, read whole, it is one clear digit
    /// that is neither neighbour (`rolled`: lower, upper) of its dominant part's reading: no
    /// drum between two digits (the recogniser reads none of 5,286 real mid-roll crops in
    /// `meter-digits` as a third digit at `acceptConfidence`), so the whole reading stands with
    /// its own confidence, the lower neighbour its alternative. Also
    /// no digit at all when the cell was only `inferred` past the row's end from ink there, and
    /// reads whole as no digit (to a recogniser that knows "no digit"): the end of the drum
    /// band or a frame bar, whose dark block passes for a "1" and made the roll 0|1 (08492 was
    /// accepted as 084920). Nil when the whole reading bears the roll out or is unsure.
    static func wholeReading(
        _ whole: DigitGuess, overriding rolled: (lower: Int, upper: Int), rollingConfidence: Double, isFraction: Bool,
        acceptConfidence: Double, inferred: Bool = false
    ) -> DigitEvidence? {
        if inferred, whole.text.isEmpty {
            return DigitEvidence(text: "", confidence: 0, isFraction: isFraction, isRolling: true)
        }
        guard let read = Int(whole.text), read != rolled.lower, read != rolled.upper, whole.confidence >= acceptConfidence
        else { return nil }
        return DigitEvidence(
            text: whole.text, confidence: whole.confidence,
            alternatives: [.init(String(rolled.lower), rollingConfidence / 2)], isFraction: isFraction, isRolling: false)
    }

    /// Per position, the more confident of the cell and the line reading; the other becomes
    /// the first alternative. Rolling positions keep their cell evidence (both neighbours).
    static func vote(cells: [DigitEvidence], line: [DigitGuess]) -> [DigitEvidence] {
        zip(cells, line).map { cell, lined in
            guard !cell.isRolling, lined.text != cell.text, lined.confidence > cell.confidence else { return cell }
            var chosen = cell
            chosen.text = lined.text
            chosen.confidence = lined.confidence
            chosen.alternatives.removeAll { $0.text == lined.text }
            if !cell.text.isEmpty { chosen.alternatives.insert(.init(cell.text, cell.confidence), at: 0) }
            return chosen
        }
    }

    /// The tie-breaking preparation: binarised with the edge clutter removed and a white border,
    /// so the engine sees the same digit in a different way.
    static func alternativePreparation(_ cell: DigitCell) -> Image {
        var options = CellPreparationOptions.standard
        options.normalizePolarity = false
        options.binarize = true
        options.removeEdgeClutter = true
        options.border = 6
        return prepareCellForOCR(cell.darkInk ? cell.image : cell.image.inverted(), options: options)
    }

    /// Prepared cells side by side on white, as one line for the line recogniser.
    static func line(of cells: [Image]) -> Image {
        let height = cells.map(\.height).max() ?? 1
        let width = max(1, cells.map(\.width).reduce(0, +))
        var pixels = [UInt8](repeating: 255, count: width * height)
        var x0 = 0
        for cell in cells {
            let top = (height - cell.height) / 2
            for y in 0..<cell.height {
                for x in 0..<cell.width {
                    pixels[(top + y) * width + x0 + x] = cell.pixels[y * cell.width + x]
                }
            }
            x0 += cell.width
        }
        return Image(width: width, height: height, format: .gray, pixels: pixels)
    }

    /// The locator knows each row's ink polarity from the threshold pass that found it; the
    /// cell is turned dark-on-light with that knowledge rather than guessed from its pixels.
    private func prepare(_ cell: DigitCell) -> Image {
        var options = settings.cellPreparation
        options.normalizePolarity = false
        return prepareCellForOCR(cell.darkInk ? cell.image : cell.image.inverted(), options: options)
    }
}
