import Foundation
import Testing
import MeterImage
import MeterOCR
@testable import MeterPipeline
@testable import MeterVision
import MeterReading

/// The reader's logic with scripted recognisers: what it decides from what the engine says.
@Suite("PhotoReader with fake recognisers")
struct PhotoReaderTests {
    /// A 400×240 light photo with a row of six dark ring-shaped digits (30 px high).
    static let meterPhoto = try! meterImage().pngData()

    /// `meterPhoto` with a seventh digit the locator cannot take into the row: a seven-segment
    /// "1" whose two segments came apart, right-aligned in its position.
    static let meterPhotoWithBrokenOne = try! meterImage(brokenOneAfterRow: true).pngData()

    /// `meterPhoto` with a solid bar one pitch after the row: digit-like ink at the locating
    /// scale, too solid for a digit shape, so the locator adds a position for it.
    static let meterPhotoWithBarAfterRow = try! meterImage(barAfterRow: true).pngData()

    /// `meterPhoto` with a row of four larger ring shapes below the counter, ranked after it.
    static let meterPhotoWithLargerRow = try! meterImage(largerRowBelow: 4).pngData()

    /// `meterPhoto` with a row of larger ring shapes running into the photo's left edge below
    /// the counter (circuit breakers, a neighbouring meter): ranked before the counter.
    static let meterPhotoWithRowAtEdge = try! meterImage(largerRowAtEdge: true).pngData()

    /// A row of `count` positions `pitch` apart from `x`, digits `height` tall, as located.
    static func row(_ count: Int, from x: Double, pitch: Double = 30, height: Double = 28) -> CounterCandidate {
        CounterCandidate(
            cellCenters: (0..<count).map { Point(x: x + pitch * Double($0), y: 60) }, digitHeight: height,
            digitWidth: 18, pitch: pitch, angle: 0, inferred: Array(repeating: false, count: count), score: 100,
            darkInk: Array(repeating: true, count: count), decimalAfter: nil)
    }

    /// `text` assembled as read at `confidence`, its last `fraction` digits fraction digits;
    /// "_" is a position read as nothing, "?" an 8 guessed at 0.45.
    static func reading(_ text: String, fraction: Int = 0, confidence: Double = 0.99) -> AssembledReading {
        ReadingAssembler().assemble(
            text.enumerated().map { index, digit in
                let (read, sure) = digit == "_" ? ("", 0) : digit == "?" ? ("8", 0.45) : (String(digit), confidence)
                return DigitEvidence(text: read, confidence: sure, isFraction: index >= text.count - fraction)
            })
    }

    static func meterImage(
        brokenOneAfterRow: Bool = false, barAfterRow: Bool = false, largerRowBelow: Int = 0,
        largerRowAtEdge: Bool = false
    ) -> Image {
        let width = 400
        let height = 240
        var pixels = [UInt8](repeating: 205, count: width * height)
        /// A ring glyph (a bold "0") with cut corners, top-left at (x0, y0).
        func ring(x0: Int, y0: Int, width w: Int, height h: Int, stroke: (x: Int, y: Int), corner: Int) {
            for y in y0..<(y0 + h) {
                for x in x0..<(x0 + w) {
                    let inside = y >= y0 + stroke.y && y < y0 + h - stroke.y && x >= x0 + stroke.x && x < x0 + w - stroke.x
                    let dx = min(x - x0, x0 + w - 1 - x)
                    let dy = min(y - y0, y0 + h - 1 - y)
                    if !inside && dx + dy >= corner { pixels[y * width + x] = 25 }
                }
            }
        }
        for index in 0..<6 { ring(x0: 60 + index * 26, y0: 60, width: 18, height: 30, stroke: (5, 5), corner: 4) }
        if brokenOneAfterRow {
            let x0 = 60 + 6 * 26 + 13
            for y in [60..<73, 77..<90].joined() {
                for x in x0..<(x0 + 4) { pixels[y * width + x] = 25 }
            }
        }
        if largerRowBelow > 0 {
            for index in 0..<largerRowBelow { ring(x0: 60 + index * 40, y0: 140, width: 27, height: 45, stroke: (7, 8), corner: 6) }
        }
        if largerRowAtEdge {
            for index in 0..<5 { ring(x0: 1 + index * 40, y0: 140, width: 27, height: 45, stroke: (7, 8), corner: 6) }
        }
        if barAfterRow {
            let x0 = 60 + 6 * 26 + 4
            for y in 60..<90 { for x in x0..<(x0 + 9) { pixels[y * width + x] = 25 } }
        }
        return Image(width: width, height: height, format: .gray, pixels: pixels)
    }

    /// Draws a dark ring glyph (a bold "0" with cut corners) into a gray image.
    static func ring(in image: inout Image, x0: Int, y0: Int, width w: Int, height h: Int, stroke: Int) {
        for y in y0..<(y0 + h) {
            for x in x0..<(x0 + w) {
                let inside = y >= y0 + stroke && y < y0 + h - stroke && x >= x0 + stroke && x < x0 + w - stroke
                let corner = min(x - x0, x0 + w - 1 - x) + min(y - y0, y0 + h - 1 - y) < stroke
                if !inside && !corner { image.pixels[y * image.width + x] = 25 }
            }
        }
    }

    /// An 18×30 ring at (x0, 60) only 9 levels darker than the 205 ground: below what any
    /// threshold pass takes, a drum the locator cannot see.
    static func faintRing(in image: inout Image, x0: Int) {
        for y in 60..<90 {
            for x in x0..<(x0 + 18) where y < 65 || y >= 85 || x < x0 + 5 || x >= x0 + 13 {
                image.pixels[y * image.width + x] = 196
            }
        }
    }

    /// A classifier (knows "no digit") reading any ink in a prepared cell as a 5 and a blank
    /// cell as no digit; its line reading is `lineDigits` fives.
    static func inkReadsAsFive(lineDigits: Int = 0) -> ScriptedRecognizer {
        let five = DigitGuess(text: "5", confidence: 0.99)
        let recognizer = ScriptedRecognizer(
            digit: { cell in cell.pixels.contains { $0 < 128 } ? five : .empty },
            line: { _ in Array(repeating: five, count: lineDigits) })
        recognizer.recognizesNonDigits = true
        return recognizer
    }

    /// Soft horizontal waves: contrast, but no edge sharper than a few levels per pixel.
    static let smeared: [UInt8] = {
        var pixels: [UInt8] = []
        for _ in 0..<240 { for x in 0..<320 { pixels.append(UInt8(128 + 90 * sin(Double(x) / 25))) } }
        return try! Image(width: 320, height: 240, format: .gray, pixels: pixels).pngData()
    }()

    static func flat(_ value: UInt8) -> [UInt8] {
        try! Image(width: 320, height: 240, format: .gray, filledWith: value).pngData()
    }

    func guesses(_ text: String, confidence: Double = 0.99) -> [DigitGuess] {
        text.map { DigitGuess(text: String($0), confidence: confidence) }
    }

    @Test func confidentAgreeingReadingIsAccepted() throws {
        let recognizer = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012345")])
        let (result, evidence) = try PhotoReader(recognizer: recognizer).read(bytes: Self.meterPhoto, file: "m.png")
        #expect(result.isAccepted)
        #expect(result.reading?.integer == "012345" && result.reading?.fraction == nil)
        #expect(result.digits.count == 6 && result.reasons.isEmpty)
        // The reply drops the leading zeros a citizen would not say aloud.
        #expect(result.reply.text.contains("Zählerstand 12345 erfasst"))
        #expect(recognizer.digitCalls == 6 && recognizer.lineCalls == 1)
        let outline = try #require(result.counter)
        #expect(outline.count == 8 && outline[0] < 70 && outline[2] > 190)
        #expect(evidence.preparedCells.count == 6)
    }

    @Test func lineReadingThatDisagreesSendsToReview() throws {
        let recognizer = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012346")])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: Self.meterPhoto)
        #expect(result.status.rawValue == "review")
        #expect(result.reasons.map(\.code.rawValue) == ["low_confidence"])
        #expect(result.reading?.integer == "012345")
    }

    @Test func unsureDigitSendsToReviewEvenWhenTheLineAgrees() throws {
        var digits = guesses("012345")
        digits[3].confidence = 0.4
        let recognizer = ScriptedRecognizer(digits: digits, lines: [guesses("012345")])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: Self.meterPhoto)
        #expect(result.status.rawValue == "review")
        #expect(result.reading?.integer == "012345")
    }

    @Test func moreConfidentLineDigitWinsTheVote() throws {
        var digits = guesses("012345")
        digits[2] = DigitGuess(text: "7", confidence: 0.6)
        var line = guesses("012345")
        line[2].confidence = 0.9
        let recognizer = ScriptedRecognizer(digits: digits, lines: [line])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: Self.meterPhoto)
        #expect(result.reading?.integer == "012345")
        #expect(result.digits[2].alternatives.first?.text == "7")
        #expect(result.status.rawValue == "review")
    }

    /// Six confident digits are not the whole reading when digit-like ink follows the row:
    /// the photo goes to a clerk instead of being accepted one digit short.
    @Test func inkPastTheRowEndSendsToReview() throws {
        let recognizer = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012345")])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: Self.meterPhotoWithBrokenOne)
        #expect(result.status.rawValue == "review")
        #expect(result.reading?.integer == "012345")
        #expect(result.reasons.contains { $0.message.contains("after the last digit") })
    }

    /// A position the locator added past the row's end for digit-like ink, read as no digit
    /// by a recogniser that knows "no digit", is left out of the reading, which goes to a
    /// clerk; a recogniser that only fails to read keeps it as an unread position.
    @Test func endPositionReadAsNoDigitIsLeftOutForReview() throws {
        let classifier = ScriptedRecognizer(digits: guesses("012345") + [.empty])
        classifier.recognizesNonDigits = true
        let (result, evidence) = try PhotoReader(recognizer: classifier).read(bytes: Self.meterPhotoWithBarAfterRow)
        #expect(classifier.digitCalls == 7)
        #expect(result.reading?.integer == "012345" && result.digits.count == 6)
        #expect(result.status.rawValue == "review")
        #expect(result.reasons.contains { $0.message.contains("read as no digit and left out") })
        #expect(evidence.crop?.cells.count == 6 && evidence.preparedCells.count == 6)
        // The outline is the six digits' (x 60…208), not shifted by the cell left out.
        let outline = try #require(result.counter)
        #expect(abs(outline[0] - 60) < 6 && abs(outline[2] - 208) < 8, "outline \(outline)")
        let engine = ScriptedRecognizer(digits: guesses("012345") + [.empty], lines: [guesses("012345")])
        let (unread, _) = try PhotoReader(recognizer: engine).read(bytes: Self.meterPhotoWithBarAfterRow)
        #expect(unread.digits.count == 7 && unread.status.rawValue == "review")
    }

    /// A found shape at the row's end that a classifier reads as no digit (a frame bar) is
    /// left out of the reading as well, for a clerk; the stock engine's unread position stays.
    @Test func foundEndShapeReadAsNoDigitIsLeftOutForReview() throws {
        let classifier = ScriptedRecognizer(digits: [.empty] + guesses("12345"))
        classifier.recognizesNonDigits = true
        let (result, evidence) = try PhotoReader(recognizer: classifier).read(bytes: Self.meterPhoto)
        #expect(result.reading?.integer == "12345" && result.digits.count == 5)
        #expect(result.status.rawValue == "review")
        #expect(result.reasons.contains { $0.message.contains("read as no digit and left out") })
        #expect(evidence.crop?.cells.count == 5 && evidence.preparedCells.count == 5)
        let engine = ScriptedRecognizer(digits: [.empty] + guesses("12345"), lines: [guesses("12345")])
        let (unread, _) = try PhotoReader(recognizer: engine).read(bytes: Self.meterPhoto)
        #expect(unread.digits.count == 6 && unread.status.rawValue == "review")
    }

    /// A decimal comma with a pitch of room to itself: the locator fills the gap between the
    /// integer and the fraction digits with a position, which reads as no digit. It is the
    /// comma's room, left out (for a clerk), not an integer digit that could not be read.
    @Test func aDecimalCommasRoomIsNoDigit() throws {
        var image = Image(width: 400, height: 200, format: .gray, filledWith: 205)
        for index in [0, 1, 2, 3, 5, 6, 7] { Self.ring(in: &image, x0: 60 + index * 26, y0: 60, width: 18, height: 30, stroke: 5) }
        for y in 84..<91 { for x in 184..<188 { image.pixels[y * image.width + x] = 25 } }  // the comma
        let classifier = ScriptedRecognizer(digits: guesses("0123") + [.empty] + guesses("456"))
        classifier.recognizesNonDigits = true
        let (result, evidence) = try PhotoReader(recognizer: classifier).read(bytes: try image.pngData())
        #expect(result.reading?.integer == "0123" && result.reading?.fraction == "456")
        #expect(evidence.crop?.cells.count == 7 && evidence.preparedCells.count == 7)
        #expect(result.status.rawValue == "review")
        #expect(result.reasons.contains { $0.message.contains("read as no digit and left out") })
    }

    /// A last drum the locator cannot see (here a faint ring after four dark ones: mid-roll,
    /// or blurred into its window) ends the row one short. A reading of fewer digits than
    /// usual and no fraction reads one position more; a digit read there is taken, for a
    /// clerk. Where that position is blank it reads as no digit and nothing changes.
    @Test func aLastDrumTheLocatorMissedIsReadPastTheRowEnd() throws {
        for faintLastDrum in [true, false] {
            var image = Image(width: 400, height: 200, format: .gray, filledWith: 205)
            for index in 0..<4 { Self.ring(in: &image, x0: 60 + index * 26, y0: 60, width: 18, height: 30, stroke: 5) }
            if faintLastDrum { Self.faintRing(in: &image, x0: 60 + 4 * 26) }
            let (result, _) = try PhotoReader(recognizer: Self.inkReadsAsFive()).read(bytes: try image.pngData())
            let pastEnd = result.reasons.contains { $0.message.contains("past the end of the row") }
            #expect(result.reading?.integer == (faintLastDrum ? "55555" : "5555"), "faint last drum: \(faintLastDrum)")
            #expect(pastEnd == faintLastDrum && result.status.rawValue == "review")
        }
    }

    /// A first drum the locator cannot see (a faint ring before five dark ones) leaves a
    /// confident reading a digit short. Before it is accepted, the position before the first
    /// is read: a digit there sends the reading to a clerk, with that digit taken. Where the
    /// position is blank the reading is accepted as before.
    @Test func aDigitBeforeTheFirstHoldsBackTheAcceptance() throws {
        for faintFirstDrum in [true, false] {
            var image = Image(width: 400, height: 200, format: .gray, filledWith: 205)
            for index in 1..<6 { Self.ring(in: &image, x0: 60 + index * 26, y0: 60, width: 18, height: 30, stroke: 5) }
            if faintFirstDrum { Self.faintRing(in: &image, x0: 60) }
            let recognizer = Self.inkReadsAsFive(lineDigits: 5)
            let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: try image.pngData())
            #expect(result.reading?.integer == (faintFirstDrum ? "555555" : "55555"), "faint first drum: \(faintFirstDrum)")
            #expect(result.status.rawValue == (faintFirstDrum ? "review" : "accepted"), "\(result.reasons)")
            let heldBack = result.reasons.contains { $0.message.contains("before the first digit reads as a digit") }
            #expect(heldBack == faintFirstDrum)
        }
    }

    /// Ink past the row's end that the locator could not take in (a seven-segment digit whose
    /// segments came apart) is read as one more position by a recogniser that knows "no
    /// digit": the digit read there is taken, for a clerk; a "1" read there is not, nor a
    /// digit beyond the most integer digits a register has.
    @Test func inkPastTheRowEndIsReadAsOneMorePosition() throws {
        // Five ring digits, then a seven-segment "1" whose segments came apart.
        var image = Image(width: 400, height: 200, format: .gray, filledWith: 205)
        for index in 0..<5 { Self.ring(in: &image, x0: 60 + index * 26, y0: 60, width: 18, height: 30, stroke: 5) }
        for y in [60..<73, 77..<90].joined() {
            for x in (60 + 5 * 26 + 13)..<(60 + 5 * 26 + 17) { image.pixels[y * image.width + x] = 25 }
        }
        let photo = try image.pngData()
        /// Reads a cell with ink in under a third of its columns as `narrow`, other ink as a 5.
        func reader(narrow: String) -> ScriptedRecognizer {
            let recognizer = ScriptedRecognizer(digit: { cell in
                let inkColumns = (0..<cell.width).count { x in
                    (0..<cell.height).contains { cell.pixels[$0 * cell.width + x] < 128 }
                }
                guard inkColumns > 0 else { return .empty }
                return DigitGuess(text: inkColumns < cell.width / 3 ? narrow : "5", confidence: 0.99)
            })
            recognizer.recognizesNonDigits = true
            return recognizer
        }
        let (result, _) = try PhotoReader(recognizer: reader(narrow: "7")).read(bytes: photo)
        #expect(result.reading?.integer == "555557")
        #expect(result.status.rawValue == "review")
        // Read as a "1" (as a window's side or a frame's edge mostly is), it is not taken.
        let (edge, _) = try PhotoReader(recognizer: reader(narrow: "1")).read(bytes: photo)
        #expect(edge.reading?.integer == "55555")
        #expect(edge.reasons.contains { $0.message.contains("after the last digit") }, "\(edge.reasons)")
        // Nor is a seventh integer digit: no register has that many.
        let (long, _) = try PhotoReader(recognizer: reader(narrow: "7")).read(bytes: Self.meterPhotoWithBrokenOne)
        #expect(long.reading?.integer == "555555")
    }

    /// The position added before a row's first one lies a pitch back along the row, and the
    /// marks after positions move with the cells.
    @Test func onePositionMoreBeforeTheRowShiftsItsMarks() {
        var row = Self.row(5, from: 100)
        row.angle = 0.1
        row.decimalAfter = 3
        row.faintlyInferredLeading = 1
        let longer = PhotoReader.withOneMorePosition(row, at: .start)
        #expect(longer.cellCenters.count == 6 && longer.inferred == [true, false, false, false, false, false])
        #expect(abs(longer.cellCenters[0].x - (100 - 30 * cos(0.1))) < 1e-9)
        #expect(abs(longer.cellCenters[0].y - (60 - 30 * sin(0.1))) < 1e-9)
        #expect(longer.decimalAfter == 4 && longer.faintlyInferredLeading == 0 && longer.darkInk.count == 6)
        let after = PhotoReader.withOneMorePosition(row, at: .end)
        #expect(after.cellCenters.count == 6 && after.inferred.last == true && after.decimalAfter == 3)
        #expect(abs(after.cellCenters[5].x - (100 + 4 * 30 + 30 * cos(0.1))) < 1e-9)
    }

    /// A larger row of four or more positions elsewhere on the photo holds back a confident
    /// reading (it may be the counter, and the row read a serial number) only when it holds
    /// digits: a recogniser with a no-digit class reads it to find out; without one, the
    /// reading goes to a clerk. Ones and nothing ("1_11": wall tiles' joints, a fence) are
    /// bars, not digits.
    @Test func largerRowHoldsBackAReadingOnlyWhenItHoldsDigits() throws {
        for (larger, status) in [("", "accepted"), ("1_11", "accepted"), ("7777", "review"), ("1_71", "review")] {
            let larger: [DigitGuess] = larger.isEmpty
                ? Array(repeating: .empty, count: 4)
                : larger.map { $0 == "_" ? .empty : DigitGuess(text: String($0), confidence: 0.99) }
            // The counter, the position before its first digit (blank), the larger row.
            let recognizer = ScriptedRecognizer(digits: guesses("012345") + [.empty] + larger, lines: [guesses("012345")])
            recognizer.recognizesNonDigits = true
            let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: Self.meterPhotoWithLargerRow)
            #expect(result.reading?.integer == "012345")
            #expect(recognizer.digitCalls == 11)
            #expect(result.status.rawValue == status)
        }
        let engine = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012345")])
        let (result, _) = try PhotoReader(recognizer: engine).read(bytes: Self.meterPhotoWithLargerRow)
        #expect(result.status.rawValue == "review" && engine.digitCalls == 6)
        #expect(result.reasons.contains { $0.message.contains("may be a serial number") })
        // Three larger shapes are too few for a counter (dials, a logo): they hold nothing back.
        let three = try Self.meterImage(largerRowBelow: 3).pngData()
        let plain = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012345")])
        let (kept, _) = try PhotoReader(recognizer: plain).read(bytes: three)
        #expect(kept.status.rawValue == "accepted" && plain.digitCalls == 6)
    }

    /// A larger row ranked first that reads as ones only (a barcode's bars, breaker toggles)
    /// does not end the search however sure the engine is, loses to the counter, and holds
    /// nothing back.
    @Test func rowOfOnesGivesWayToTheCounter() throws {
        let photo = try Self.meterImage(largerRowBelow: 5).pngData()
        let recognizer = ScriptedRecognizer(digits: guesses("11111") + guesses("012345"), lines: [guesses("012345")])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: photo)
        #expect(recognizer.digitCalls == 11)
        #expect(result.reading?.integer == "012345")
        #expect(result.status.rawValue == "accepted")
        // Bars alone are no counter.
        let bars = ScriptedRecognizer(digits: guesses("111111"), lines: [guesses("111111")])
        let (alone, _) = try PhotoReader(recognizer: bars).read(bytes: Self.meterPhoto)
        #expect(alone.status.rawValue == "rejected" && alone.reasons.first?.code.rawValue == "no_counter_found")
        // Nor are bars of which a recogniser that knows "no digit" found one to hold none.
        let broken = ScriptedRecognizer(digits: guesses("111") + [.empty] + guesses("11"))
        broken.recognizesNonDigits = true
        let (unread, _) = try PhotoReader(recognizer: broken).read(bytes: Self.meterPhoto)
        #expect(unread.status.rawValue == "rejected" && unread.reasons.first?.code.rawValue == "no_counter_found")
        // A recogniser without that class reads many real digits as nothing: not bars then.
        #expect(!PhotoReader.readsAsBars(Self.reading("111_11"), blanksAreNoDigit: false))
        #expect(PhotoReader.readsAsBars(Self.reading("111_11"), blanksAreNoDigit: true))
        #expect(!PhotoReader.readsAsBars(Self.reading("11_7_1"), blanksAreNoDigit: true))
        #expect(!PhotoReader.readsAsBars(Self.reading("1__"), blanksAreNoDigit: true))
    }

    /// The debug photo marks the row the reading came from in red, though it was not the
    /// best-ranked candidate (a row of ones was, drawn in yellow).
    @Test func debugPhotoMarksTheRowRead() throws {
        let photo = try Self.meterImage(largerRowBelow: 5).pngData()
        let recognizer = ScriptedRecognizer(digits: guesses("11111") + guesses("012345"), lines: [guesses("012345")])
        let (result, evidence) = try PhotoReader(recognizer: recognizer).read(bytes: photo)
        #expect(result.reading?.integer == "012345")
        #expect(evidence.candidates.first.map { $0.cellCenters[0].y > 100 } == true)
        let folder = NSTemporaryDirectory() + "debug-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DebugPictures(directory: folder).write(name: "m", evidence: evidence, result: result)
        let picture = try decode(Array(Data(contentsOf: URL(fileURLWithPath: folder + "/m-1-photo.png")))).image
        /// Rows of the picture holding a pure red pixel.
        let redRows = Set((0..<picture.height).filter { y in
            (0..<picture.width).contains { x in
                let i = 3 * (y * picture.width + x)
                return picture.pixels[i] == 255 && picture.pixels[i + 1] == 0 && picture.pixels[i + 2] == 0
            }
        })
        // The counter's digits stand in rows 60..<90, the ones' in 140..<185.
        #expect(!redRows.isEmpty && redRows.allSatisfy { $0 < 120 })
    }

    /// Rows of wall tiles or a grid behind the meter outrank a small counter by size; read as
    /// no digits, they do not use up the search: the counter below six such rows is read.
    @Test func counterBelowSixLargerRowsOfNoDigitsIsRead() throws {
        var image = Image(width: 400, height: 640, format: .gray, filledWith: 205)
        for row in 0..<6 {
            for index in 0..<5 { Self.ring(in: &image, x0: 60 + index * 40, y0: 20 + row * 80, width: 27, height: 45, stroke: 7) }
        }
        for index in 0..<6 { Self.ring(in: &image, x0: 60 + index * 26, y0: 520, width: 18, height: 30, stroke: 5) }
        let recognizer = ScriptedRecognizer(digits: Array(repeating: .empty, count: 30) + guesses("012345"))
        recognizer.recognizesNonDigits = true
        let (result, evidence) = try PhotoReader(recognizer: recognizer).read(bytes: try image.pngData())
        #expect(evidence.candidates.contains { $0.cellCenters.count == 6 })
        // Thirty cells of tiles, six of the counter, and the position before its first digit.
        #expect(result.reading?.integer == "012345" && recognizer.digitCalls == 37)
    }

    /// A row running into the photo's edge, read first and confidently, does not end the
    /// search: the whole row inside the photo is read too and wins. Alone, the edge row is
    /// rejected as cut off.
    @Test func rowAtTheEdgeGivesWayToAWholeRow() throws {
        let image = Self.meterImage(largerRowAtEdge: true)
        let candidates = CounterLocator().locate(image)
        let edgeRow = try #require(candidates.first)
        #expect(edgeRow.digitHeight > 40 && edgeRow.cellCenters.count == 5)
        let edgeCells = edgeRow.cellCenters.count
        func recognizer() -> ScriptedRecognizer {
            ScriptedRecognizer(digits: guesses(String(repeating: "7", count: edgeCells)) + guesses("012345"))
        }
        let reader = recognizer()
        let (result, _) = try PhotoReader(recognizer: reader).read(bytes: Self.meterPhotoWithRowAtEdge)
        #expect(reader.digitCalls == edgeCells + 6)
        #expect(result.reading?.integer == "012345")
        #expect(result.status.rawValue != "rejected")
        var onlyTheEdgeRow = ReaderSettings()
        onlyTheEdgeRow.candidatesToRead = 1
        let (cutOff, _) = try PhotoReader(recognizer: recognizer(), settings: onlyTheEdgeRow)
            .read(bytes: Self.meterPhotoWithRowAtEdge)
        #expect(cutOff.status.rawValue == "rejected")
        #expect(cutOff.reasons.first?.code.rawValue == "counter_cut_off")
    }

    /// A row ending less than a cell short of the photo's right edge, with no fraction digits
    /// read, may have lost its last digits to the edge: rejected as cut off. With room for one
    /// more cell, or with fraction digits read, the reading stands.
    @Test func rowEndingJustShortOfTheRightEdgeIsCutOff() throws {
        // The six rings' last centre is at x = 199, 26 px apart: a seventh would end at 238.
        func photo(width: Int) throws -> [UInt8] {
            let whole = Self.meterImage()
            let pixels = (0..<whole.height).flatMap { y in whole.pixels[(y * whole.width)..<(y * whole.width + width)] }
            return try Image(width: width, height: whole.height, format: .gray, pixels: Array(pixels)).pngData()
        }
        func read(width: Int) throws -> ReadResult {
            let recognizer = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012345")])
            return try PhotoReader(recognizer: recognizer).read(bytes: try photo(width: width)).0
        }
        let tight = try read(width: 228)
        #expect(tight.status.rawValue == "rejected")
        #expect(tight.reasons.first?.code.rawValue == "counter_cut_off")
        let roomy = try read(width: 250)
        #expect(roomy.status.rawValue == "accepted" && roomy.reading?.integer == "012345")
        // The rule's geometry and its fraction exception, on located rows.
        let row = Self.row(5, from: 100)
        #expect(PhotoReader.mayGoOnPastRightEdge(row, reading: Self.reading("01234"), width: 260))
        #expect(!PhotoReader.mayGoOnPastRightEdge(row, reading: Self.reading("01234"), width: 266))
        #expect(!PhotoReader.mayGoOnPastRightEdge(row, reading: Self.reading("012345", fraction: 1), width: 260))
    }

    /// Five light drum windows on a dark face, dark digits in them; the last holds a thin "1",
    /// which leaves its window too solid to pass for a shape of its own: the row of windows
    /// has four positions, the row of digits inside them five.
    static func windowsImage() -> Image {
        let (width, height) = (640, 400)
        var pixels = [UInt8](repeating: 40, count: width * height)
        /// A box with its corners cut: printed shapes are rounded, a box all around is a frame.
        func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int, _ value: UInt8, corner: Int = 0) {
            for y in y0..<(y0 + h) {
                for x in x0..<(x0 + w) where min(x - x0, x0 + w - 1 - x) + min(y - y0, y0 + h - 1 - y) >= corner {
                    pixels[y * width + x] = value
                }
            }
        }
        for index in 0..<5 {
            let x0 = 60 + index * 34
            fill(x0, 60, 26, 44, 215, corner: 6)
            if index == 4 {
                fill(x0 + 12, 70, 4, 24, 30)
            } else {
                fill(x0 + 6, 70, 14, 24, 30, corner: 4)
                fill(x0 + 10, 74, 6, 16, 215)
            }
        }
        return Image(width: width, height: height, format: .gray, pixels: pixels)
    }

    /// A counter of six ring digits (18 × 30 px) below a wall of `rows` rows of ten hollow
    /// tiles (48 px squares), larger and as regular as a counter.
    static func counterBelowTiles(rows: Int) -> Image {
        var image = Image(width: 900, height: 900, format: .gray, filledWith: 200)
        for row in 0..<rows {
            for column in 0..<10 {
                ring(in: &image, x0: 40 + column * 60, y0: 20 + row * 60, width: 48, height: 48, stroke: 4)
            }
        }
        for index in 0..<6 { ring(in: &image, x0: 300 + index * 26, y0: 40 + rows * 60, width: 18, height: 30, stroke: 5) }
        return image
    }

    /// A row of dark shapes (a brand name) above a black band with faint gray digits in
    /// small white windows, which only a narrower threshold window finds.
    static func brandAboveFaintCounter(brand: Bool = true, letters: Int = 5) -> Image {
        ringsAboveFaintCounter(rings: brand ? letters : 0)
    }

    /// `rings` dark rings `ringWidth` wide and 28 high (letters, a breaker's toggles) above a
    /// black band with six faint gray digits in small white windows, drawn at `counterScale`
    /// of their size (1: digits 24 px high).
    static func ringsAboveFaintCounter(rings: Int, ringWidth: Int = 18, counterScale: Double = 1) -> Image {
        var image = Image(width: 800, height: 480, format: .gray, filledWith: 200)
        func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int, _ value: UInt8) {
            for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { image.pixels[y * image.width + x] = value } }
        }
        for index in 0..<rings {
            ring(in: &image, x0: 280 + index * (ringWidth + 10), y0: 60, width: ringWidth, height: 28, stroke: 5)
        }
        func scaled(_ value: Int) -> Int { Int((Double(value) * counterScale).rounded()) }
        fill(100, 150, 600, 150, 20)
        for index in 0..<6 {
            let x0 = 250 + index * scaled(34)
            fill(x0, 205, scaled(26), scaled(40), 235)
            fill(x0 + scaled(6), 205 + scaled(8), scaled(14), scaled(24), 170)
            fill(x0 + scaled(10), 205 + scaled(13), scaled(6), scaled(14), 235)
        }
        return image
    }

    /// A photo whose first look reads only unsure lettering is looked at again with a narrower
    /// threshold window; the counter found then wins, and is accepted only if every integer
    /// digit is clear.
    @Test func unsureReadingGetsASecondLook() throws {
        let photo = try Self.brandAboveFaintCounter().pngData()
        #expect(CounterLocator().locate(Self.brandAboveFaintCounter()).allSatisfy { $0.cellCenters.count != 6 })
        for (confidence, status) in [(0.99, "accepted"), (0.9, "review")] {
            let unsure = guesses("12345", confidence: 0.5)
            let recognizer = ScriptedRecognizer(
                digits: unsure + guesses("012345", confidence: confidence), lines: [guesses("012345")])
            let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: photo)
            #expect(recognizer.digitCalls == 11)
            #expect(result.reading?.integer == "012345")
            #expect(result.status.rawValue == status)
        }
    }

    /// A photo in which the first look finds no row at all gets the second look too.
    @Test func photoWithNoRowGetsASecondLook() throws {
        let image = Self.brandAboveFaintCounter(brand: false)
        #expect(CounterLocator().locate(image).isEmpty)
        let recognizer = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012345")])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: try image.pngData())
        #expect(result.reading?.integer == "012345" && result.status.rawValue == "accepted")
    }

    /// Small digits in a dark band, lost at the locating scale even to the second look's
    /// narrower window, are looked for with that window at full size when what was found reads
    /// too few digits (a row of three breaker toggles beside a small water counter).
    @Test func smallDigitsInADarkBandGetTheSecondLookAtFullSize() throws {
        let image = Self.ringsAboveFaintCounter(rings: 3, counterScale: 0.7)
        var settings = ReaderSettings()
        settings.locateLongSide = 400  // located at half size, as a phone photo is
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let narrower = PhotoReader.closeLocatorSettings
        let small = image.grayDownscaled(by: 2)
        for locator in [CounterLocator(), CounterLocator(settings: narrower)] {
            #expect(locator.locate(small).map(\.cellCenters.count) == [3])
        }
        #expect(CounterLocator().locate(image).map(\.cellCenters.count) == [3])
        #expect(CounterLocator(settings: narrower).locate(image).contains { $0.cellCenters.count == 6 })
        let recognizer = ScriptedRecognizer(digit: { _ in DigitGuess(text: "5", confidence: 0.99) })
        let (result, evidence) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect(result.reading?.integer == "555555")
        #expect(evidence.locatingScale == 1)
    }

    /// Rows read as no digits do not use up the rows to read: a counter ranked after twelve
    /// rows of wall tiles (read as nothing by a recogniser that knows "no digit") is read.
    @Test func rowsReadAsNoDigitsDoNotUseUpTheRowsToRead() throws {
        let image = Self.counterBelowTiles(rows: 12)
        let found = CounterLocator().locate(image)
        #expect(found.firstIndex { $0.cellCenters.count == 6 } == 12)
        // Tiles are as wide as tall; the counter's digits are narrow.
        let recognizer = ScriptedRecognizer(digit: { cell in
            cell.width * 5 > cell.height * 4 ? .empty : DigitGuess(text: "5", confidence: 0.99)
        })
        recognizer.recognizesNonDigits = true
        var settings = ReaderSettings()
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let (result, _) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect(result.reading?.integer == "555555")
    }

    /// A row read as a serial number (eight digits without decimals: here eight toggles read
    /// as sevens) is no counter, and does not end the search: the second look's window at full
    /// size finds the small counter, ranked below the toggles, and its clear reading replaces
    /// the serial number's.
    @Test func aRowReadAsASerialNumberDoesNotEndTheSearch() throws {
        let image = Self.ringsAboveFaintCounter(rings: 8, ringWidth: 24, counterScale: 0.7)
        let atFullSize = CounterLocator(settings: PhotoReader.closeLocatorSettings).locate(image).map(\.cellCenters.count)
        #expect(atFullSize == [8, 6])
        // The toggles' cells are nearly square; the counter's digits are narrow.
        let recognizer = ScriptedRecognizer(digit: { cell in
            cell.width * 4 > cell.height * 3
                ? DigitGuess(text: "7", confidence: 0.8) : DigitGuess(text: "5", confidence: 0.99)
        })
        var settings = ReaderSettings()
        settings.locateLongSide = 400  // located at half size, as a phone photo is
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let (result, _) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect(result.reading?.integer == "555555")
        // The larger row above it might still be the counter: a clerk decides.
        #expect(result.reasons.contains { $0.message.hasPrefix("a larger row of digits could not be read") })
    }

    /// The same counter located twice, as its windows and as its digits: the row of digits is
    /// read too when it has more positions, and its reading wins when it has more digits.
    @Test func longerRowOfTheSameCounterIsRead() throws {
        let image = Self.windowsImage()
        let candidates = CounterLocator().locate(image)
        let windows = try #require(candidates.first)
        let digits = try #require(candidates.first { $0.cellCenters.count == 5 })
        #expect(windows.cellCenters.count == 4 && windows.digitHeight > 36)
        #expect(digits.coversMuchOf(windows) && digits.score < windows.score)
        let recognizer = ScriptedRecognizer(digits: guesses("0000") + guesses("00001"))
        var settings = ReaderSettings()
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let (result, _) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect(recognizer.digitCalls == 9)
        #expect(result.reading?.integer == "00001")
    }

    /// The longer row of the same counter does not win when one of its digits is a guess, even
    /// with a mean confidence that would be accepted: a comma's room or a frame cut as a position.
    @Test func longerRowWithAGuessedDigitDoesNotWin() throws {
        let image = Self.windowsImage()
        let sure = guesses("00")
        let guessed = guesses("0") + [DigitGuess(text: "8", confidence: 0.45)] + guesses("1", confidence: 1)
        let recognizer = ScriptedRecognizer(digits: guesses("0000") + sure + guessed)
        var settings = ReaderSettings()
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let (result, _) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect(recognizer.digitCalls >= 9)
        #expect(result.reading?.integer == "0000")
    }

    /// The longer row of the same counter does not win when its reading would be rejected:
    /// a frame edge taken in as one more digit makes a counter's row as long as a serial
    /// number (here five digits, for the drawing's short rows), and the counter's own reading
    /// would be lost.
    @Test func longerRowReadAsASerialNumberDoesNotWin() throws {
        let image = Self.windowsImage()
        let recognizer = ScriptedRecognizer(digits: guesses("0000") + guesses("00001"))
        var settings = ReaderSettings()
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        settings.policy.serialNumberDigits = 5
        let (result, _) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect(recognizer.digitCalls >= 9)
        #expect(result.reading?.integer == "0000")
        #expect(result.status.rawValue != "rejected")
    }

    /// A longer row over the same counter at a narrower pitch cuts some digits twice: it is not
    /// the same counter with more positions.
    @Test func longerRowMustKeepThePitch() {
        let read = CounterCandidate(
            cellCenters: (0..<6).map { Point(x: 100 + 26 * Double($0), y: 60) }, digitHeight: 30, digitWidth: 18,
            pitch: 26, angle: 0, inferred: Array(repeating: false, count: 6), score: 100,
            darkInk: Array(repeating: true, count: 6), decimalAfter: nil)
        var longer = read
        longer.cellCenters.append(Point(x: 100 + 26 * 6, y: 60))
        longer.inferred.append(true)
        longer.darkInk.append(true)
        #expect(PhotoReader.isLonger(longer, than: read, cellsRead: 6))
        var narrower = longer
        narrower.cellCenters = (0..<8).map { Point(x: 100 + 19.5 * Double($0), y: 60) }
        narrower.pitch = 19.5
        narrower.inferred = Array(repeating: false, count: 8)
        narrower.darkInk = Array(repeating: true, count: 8)
        #expect(!PhotoReader.isLonger(narrower, than: read, cellsRead: 6))
    }

    /// A clear reading goes to a clerk when a row of the same counter with one or two more
    /// positions read the same digits and more at an end (less surely, or it would have won):
    /// the clear one may lack its first digit. A longer row that read other digits, or many
    /// more, took in a frame or lettering, and does not count.
    @Test func longerRowWithTheSameDigitsAndMoreHoldsBackTheReading() {
        func row(_ count: Int, from x: Double) -> CounterCandidate { Self.row(count, from: x, pitch: 26, height: 30) }
        let read = row(5, from: 126)
        #expect(PhotoReader.longerRowReadsMore("00864", row: read, cellsRead: 5, rows: [(row(6, from: 100), "000864")]))
        #expect(!PhotoReader.longerRowReadsMore("00864", row: read, cellsRead: 5, rows: [(row(6, from: 100), "700861")]))
        #expect(!PhotoReader.longerRowReadsMore("00864", row: read, cellsRead: 5, rows: [(row(8, from: 74), "70008645")]))
        #expect(!PhotoReader.longerRowReadsMore("00864", row: read, cellsRead: 5, rows: [(read, "00864")]))
    }

    /// A sure reading with fewer integer digits than a counter usually shows (a row cut short,
    /// or lettering) gets the second look too; its fuller reading wins.
    @Test func readingShorterThanUsualGetsASecondLook() throws {
        let photo = try Self.brandAboveFaintCounter(letters: 4).pngData()
        let recognizer = ScriptedRecognizer(
            digits: guesses("1234") + guesses("012345"), lines: [guesses("012345")])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: photo)
        #expect(recognizer.digitCalls == 10)
        #expect(result.reading?.integer == "012345")
    }

    /// The second look's reading wins over the first look's when it scores higher, or when it
    /// is the same counter as a longer row that reads more, surely (a faint first digit on an
    /// embossed plate lowers the longer row's score: 2232.093 against 02232.093); never with
    /// fewer integer digits, another counter scoring lower, or a guessed digit.
    @Test func secondLookTakesTheLongerRowOfTheSameCounter() {
        let reader = PhotoReader(recognizer: ScriptedRecognizer(digits: []))
        let first = (row: Self.row(7, from: 130), cellsRead: 7, reading: Self.reading("2232093", fraction: 3), score: 122.0)
        func wins(_ row: CounterCandidate, _ text: String, fraction: Int = 3, score: Double) -> Bool {
            reader.secondLookWins(row: row, reading: Self.reading(text, fraction: fraction), score: score, over: first)
        }
        // The same counter, one position longer, lower score: it wins.
        #expect(wins(Self.row(8, from: 100), "02232093", score: 104))
        // Another counter (not covering the first row) with a lower score does not.
        #expect(!wins(Self.row(8, from: 400), "02232093", score: 104))
        // Nor the longer row with a guessed digit, or one reading fewer integer digits.
        #expect(!wins(Self.row(8, from: 100), "02?32093", score: 104))
        #expect(!wins(Self.row(8, from: 100), "02232093", fraction: 5, score: 104))
        // A higher score wins, as before.
        #expect(wins(Self.row(7, from: 400), "1234567", score: 130))
    }

    /// A second look's reading that scores higher needs as many integer digits as the first
    /// look's, counted up to the usual five (a row of eight that took in lettering does not
    /// outdo a counter's five); fewer do, when sure, if the first left integer positions unread
    /// or was unsure and scored less than half as much.
    @Test func secondLookNeedsEnoughIntegerDigits() {
        let row = Self.row(5, from: 400)
        func first(_ text: String, confidence: Double) -> (CounterCandidate, Int, AssembledReading, Double) {
            (row, text.count, Self.reading(text, confidence: confidence), 20)
        }
        let reader = PhotoReader(recognizer: ScriptedRecognizer(digits: []))
        let lettering = first("78281054", confidence: 0.95)
        #expect(reader.secondLookWins(row: row, reading: Self.reading("00212"), score: 50, over: lettering))
        #expect(!reader.secondLookWins(row: row, reading: Self.reading("0000"), score: 50, over: lettering))
        let unread = first("7828_05_46", confidence: 0.6)
        #expect(reader.secondLookWins(row: row, reading: Self.reading("0021212", fraction: 3), score: 50, over: unread))
        #expect(!reader.secondLookWins(row: row, reading: Self.reading("0021212", fraction: 3, confidence: 0.8), score: 50, over: unread))
        #expect(!reader.secondLookWins(row: row, reading: Self.reading("0021212", fraction: 5), score: 50, over: unread))
        // An unsure first reading gives way to a sure one scoring at least twice as much.
        let unsure = first("141864", confidence: 0.5)
        #expect(reader.secondLookWins(row: row, reading: Self.reading("0013628", fraction: 3), score: 40, over: unsure))
        #expect(!reader.secondLookWins(row: row, reading: Self.reading("0013628", fraction: 3), score: 39, over: unsure))
        #expect(!reader.secondLookWins(row: row, reading: Self.reading("0013628", fraction: 3), score: 40, over: first("141864", confidence: 0.95)))
    }

    /// An accepted first reading does not give way to a second look's reading that would be
    /// rejected, however it scores: the same drums read again without their red (a serial
    /// number's eight plain digits). Against a first reading for review it still may.
    @Test func secondLookReadingThatWouldBeRejectedDoesNotReplaceAnAcceptedOne() {
        let reader = PhotoReader(recognizer: ScriptedRecognizer(digits: []))
        let row = Self.row(8, from: 100)
        let serial = Self.reading("51724353")
        let accepted = (row: row, cellsRead: 8, reading: Self.reading("51724353", fraction: 3), score: 20.0)
        #expect(!reader.secondLookWins(row: row, reading: serial, score: 50, over: accepted))
        #expect(reader.secondLookWins(row: row, reading: Self.reading("51724353", fraction: 3), score: 50, over: accepted))
        let unsure = (row: row, cellsRead: 8, reading: Self.reading("51724353", fraction: 3, confidence: 0.7), score: 20.0)
        #expect(reader.secondLookWins(row: row, reading: serial, score: 50, over: unsure))
    }

    /// A cell taken for a rolling drum that reads, whole, as a clear digit other than either
    /// neighbour (a seven-segment "8" with a faint middle bar, its dominant part a "0") keeps
    /// its own reading and confidence; a whole reading that bears the roll out, or is unsure,
    /// does not.
    /// An inferred end cell that reads whole as no digit reads as no digit.
    @Test func wholeReadingOverridesARollOnlyWhenItIsAnotherClearDigit() throws {
        func whole(_ text: String, _ confidence: Double) -> DigitEvidence? {
            PhotoReader.wholeReading(
                DigitGuess(text: text, confidence: confidence), overriding: (0, 1), rollingConfidence: 0.9,
                isFraction: false, acceptConfidence: 0.85)
        }
        let eight = try #require(whole("8", 0.97))
        #expect(eight.text == "8" && eight.confidence == 0.97 && !eight.isRolling)
        #expect(eight.alternatives.first?.text == "0")
        #expect(whole("1", 0.97) == nil && whole("0", 0.99) == nil)
        #expect(whole("8", 0.6) == nil && whole("", 0.99) == nil)
        // A cell inferred past the row's end that reads whole as no digit is no drum.
        let bar = try #require(
            PhotoReader.wholeReading(
                DigitGuess(text: "", confidence: 0.99), overriding: (0, 1), rollingConfidence: 0.97,
                isFraction: false, acceptConfidence: 0.85, inferred: true))
        #expect(bar.text.isEmpty && bar.confidence == 0)
    }

    /// A position the locator only inferred from ink past the row's end is left out when it
    /// reads as no digit or as an unsure digit; a digit found as a shape of its own stays,
    /// however unsure.
    @Test func doubtfulInferredEndsAreLeftOut() {
        func evidence(_ text: String, _ confidence: Double) -> DigitEvidence {
            DigitEvidence(text: text, confidence: confidence, isFraction: false, isRolling: false)
        }
        #expect(PhotoReader.isDoubtfulAddition(evidence("", 0), inferred: true, below: 0.5))
        #expect(PhotoReader.isDoubtfulAddition(evidence("7", 0.34), inferred: true, below: 0.5))
        #expect(!PhotoReader.isDoubtfulAddition(evidence("7", 0.9), inferred: true, below: 0.5))
        #expect(!PhotoReader.isDoubtfulAddition(evidence("7", 0.34), inferred: false, below: 0.5))
    }

    /// Leaving out an integer cell at a row's end sends the reading to a clerk, unless the
    /// locator added that position only for ink the faint pass saw (the usual passes found no
    /// digit there, and without the faint pass the row would have ended before it) or the cell
    /// is a fraction drum.
    @Test func leavingOutAFaintlyInferredCellNeedsNoClerk() throws {
        var image = Image(width: 400, height: 200, format: .gray, filledWith: 205)
        for index in 0..<6 { Self.ring(in: &image, x0: 60 + index * 26, y0: 60, width: 18, height: 30, stroke: 5) }
        let candidate = try #require(CounterLocator().locate(image).first)
        try #require(candidate.cellCenters.count == 6)
        let crop = CounterExtractor().extract(candidate, from: image)
        func drops(keeping kept: Range<Int>, faintlyInferred: Int) -> Bool {
            var marked = crop
            marked.candidate.faintlyInferredLeading = faintlyInferred
            return PhotoReader.dropsIntegerCells(of: marked, keeping: Array(kept))
        }
        #expect(drops(keeping: 1..<6, faintlyInferred: 0))
        #expect(!drops(keeping: 1..<6, faintlyInferred: 1))
        #expect(drops(keeping: 2..<6, faintlyInferred: 1))
        #expect(!drops(keeping: 0..<6, faintlyInferred: 0))
    }

    /// A photo twice the locating size with three large shapes (sub-dials) and a small
    /// counter whose digits vanish at the locating scale: the rows found there are all too
    /// short for a counter, so the photo is searched again at full size, where the counter is.
    @Test func shortRowsAloneSendTheSearchToFullSize() throws {
        var image = Image(width: 1800, height: 500, format: .gray, filledWith: 205)
        for index in 0..<3 { Self.ring(in: &image, x0: 200 + index * 80, y0: 60, width: 54, height: 90, stroke: 14) }
        for index in 0..<6 { Self.ring(in: &image, x0: 300 + index * 14, y0: 300, width: 10, height: 16, stroke: 3) }
        let photo = try image.pngData()
        // The dials read as no digits, the counter as 012345.
        let recognizer = ScriptedRecognizer(digits: Array(repeating: .empty, count: 3) + guesses("012345"))
        recognizer.recognizesNonDigits = true
        var settings = ReaderSettings()
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let (result, evidence) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: photo)
        #expect(evidence.locatingScale == 1)
        #expect(result.reading?.integer == "012345")
    }

    /// A row found at the locating scale that reads as almost nothing (digits merged or broken
    /// there), or as a row of bars read as ones (a barcode), is looked for and read again at
    /// full size, and the fuller reading is taken.
    @Test(arguments: ["", "1"])
    func tooFewDigitsReadSendTheSearchToFullSize(readAtLocatingScale: String) throws {
        var image = Image(width: 1800, height: 500, format: .gray, filledWith: 205)
        for index in 0..<6 { Self.ring(in: &image, x0: 300 + index * 24, y0: 200, width: 16, height: 28, stroke: 5) }
        let small = CounterLocator().locate(image.grayDownscaled(by: 2))
        let row = try #require(small.first)
        try #require(small.count == 1 && row.cellCenters.count == 6)
        let first = guesses(String(repeating: readAtLocatingScale, count: 6))
        let recognizer = ScriptedRecognizer(
            digits: (first.isEmpty ? Array(repeating: .empty, count: 6) : first) + guesses("012345"))
        recognizer.recognizesNonDigits = true
        var settings = ReaderSettings()
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let (result, evidence) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect(evidence.locatingScale == 1)
        // Six cells at each scale, and the position before the first digit.
        #expect(recognizer.digitCalls == 13)
        #expect(result.reading?.integer == "012345")
    }

    /// A row of small digits (12 px at the locating scale) that reads fewer integer digits
    /// than a counter usually has (its last two broken into nothing there) is looked for again
    /// at full size, and the fuller reading is taken; a row of larger digits is not (the
    /// second look at the locating scale is its remedy).
    @Test(arguments: [(24, true), (40, false)])
    func shortReadingOfSmallDigitsSendsTheSearchToFullSize(digitHeight: Int, searchedAgain: Bool) throws {
        var image = Image(width: 1800, height: 500, format: .gray, filledWith: 205)
        let width = digitHeight * 14 / 24
        for index in 0..<6 {
            Self.ring(in: &image, x0: 300 + index * (width + 8), y0: 200, width: width, height: digitHeight, stroke: 4)
        }
        let small = CounterLocator().locate(image.grayDownscaled(by: 2))
        try #require(small.count == 1 && small[0].cellCenters.count == 6)
        let recognizer = ScriptedRecognizer(
            digits: guesses("0123") + Array(repeating: .empty, count: 2) + guesses("012345"))
        recognizer.recognizesNonDigits = true
        var settings = ReaderSettings()
        settings.blurredEdgeRatio = 0  // a drawing with few edges, not a blurred photo
        let (result, evidence) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: try image.pngData())
        #expect((evidence.locatingScale == 1) == searchedAgain)
        if searchedAgain { #expect(result.reading?.integer == "012345") }
    }

    /// Digits too small to tell a 9 from a 0 send a confident reading to a clerk; the test
    /// photo's 30 px digits count as small when the limit is raised above them.
    @Test func tinyDigitsSendToReview() throws {
        let recognizer = ScriptedRecognizer(digits: guesses("012345"), lines: [guesses("012345")])
        var settings = ReaderSettings()
        settings.smallestTrustedDigitHeight = 40
        let (result, _) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: Self.meterPhoto)
        #expect(result.status.rawValue == "review")
        #expect(result.reading?.integer == "012345")
        #expect(result.reasons.contains { $0.message.contains("too small to be sure") })
    }

    /// `meterPhoto` as a phone held flat may store it: turned a quarter counter-clockwise, with
    /// no orientation tag.
    static let sidewaysMeterPhoto = try! meterImage().applying(.left).pngData()

    @Test func sidewaysPhotoIsReadTurnedAQuarter() throws {
        // Turned back, the row reads surely; upside down (the other quarter turn) it does not.
        let recognizer = ScriptedRecognizer(
            digits: guesses("012345") + guesses("543210", confidence: 0.6),
            lines: [guesses("012345"), guesses("543210", confidence: 0.6)])
        let (result, evidence) = try PhotoReader(recognizer: recognizer).read(bytes: Self.sidewaysMeterPhoto)
        #expect(result.isAccepted)
        #expect(result.reading?.integer == "012345")
        #expect(evidence.turn == .right)
        #expect(result.timings["quarter_turns"] != nil)
        // The outline is given in the photo as sent (240 × 400): the row stands on end there,
        // at x 60…90, its first digit at the bottom (y 340).
        let outline = try #require(result.counter)
        let xs = stride(from: 0, to: 8, by: 2).map { outline[$0] }
        let ys = stride(from: 1, to: 8, by: 2).map { outline[$0] }
        #expect(xs.allSatisfy { $0 > 50 && $0 < 100 })
        #expect(ys.min()! > 170 && ys.max()! < 350)
        #expect(outline[1] > 320)
    }

    @Test func sidewaysCounterReadSurelyBothWaysUpGoesToReview() throws {
        let recognizer = ScriptedRecognizer(
            digits: guesses("012345") + guesses("012345"), lines: [guesses("012345"), guesses("012345")])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: Self.sidewaysMeterPhoto)
        #expect(result.status.rawValue == "review")
        #expect(result.reading?.integer == "012345")
        #expect(result.reasons.contains { $0.message.contains("reads both ways up") })
    }

    @Test func veryUnsureTurnedReadingLeavesThePhotoRejected() throws {
        let unsure = guesses("012345", confidence: 0.3)
        let recognizer = ScriptedRecognizer(digits: unsure + unsure, lines: [unsure, unsure])
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: Self.sidewaysMeterPhoto)
        #expect(result.status.rawValue == "rejected")
        #expect(result.reasons.first?.code.rawValue == "no_counter_found")
    }

    @Test func rejectedOrVeryUnsurePhotosMayBeSideways() {
        func result(_ status: String, _ confidence: Double, _ code: ReasonCode? = nil) -> ReadResult {
            var result = ReadResult.rejected(file: nil, id: nil, reasons: code.map { [Reason($0, "")] } ?? [], timings: [:])
            result.status = ReadingStatus(rawValue: status)!
            result.confidence = confidence
            return result
        }
        #expect(PhotoReader.mayBeSideways(result("rejected", 0, .noCounterFound), reviewBelow: 0.4))
        #expect(PhotoReader.mayBeSideways(result("rejected", 0, .tooFewDigits), reviewBelow: 0.4))
        #expect(!PhotoReader.mayBeSideways(result("rejected", 0, .blurred), reviewBelow: 0.4))
        #expect(!PhotoReader.mayBeSideways(result("rejected", 0, .counterCutOff), reviewBelow: 0.4))
        #expect(PhotoReader.mayBeSideways(result("review", 0.3, .lowConfidence), reviewBelow: 0.4))
        #expect(!PhotoReader.mayBeSideways(result("review", 0.5, .lowConfidence), reviewBelow: 0.4))
        #expect(!PhotoReader.mayBeSideways(result("accepted", 0.2), reviewBelow: 0.4))
    }

    @Test func sidewaysPhotoIsNotTurnedWhenSwitchedOff() throws {
        var settings = ReaderSettings()
        settings.tryQuarterTurns = false
        let recognizer = ScriptedRecognizer(digits: guesses("012345"))
        let (result, _) = try PhotoReader(recognizer: recognizer, settings: settings).read(bytes: Self.sidewaysMeterPhoto)
        #expect(result.status.rawValue == "rejected")
    }

    @Test(arguments: [Orientation.right, .left])
    func turnedCornersMapBackToTheUprightPixel(turn: Orientation) {
        var upright = Image(width: 7, height: 5, format: .gray, filledWith: 0)
        upright.pixels[1 * 7 + 2] = 255
        let turned = upright.applying(turn)
        let index = turned.pixels.firstIndex(of: 255)!
        let (x, y) = (index % turned.width, index / turned.width)
        let back = PhotoReader.unturned(
            [Double(x) + 0.5, Double(y) + 0.5], turn: turn, uprightSize: (width: 7, height: 5))
        #expect(back == [2.5, 1.5])
    }

    @Test func rowLongerThanAnyCounterIsNotRead() throws {
        // Sixteen ring shapes in a row: wall tiles or a fence, not a register.
        var image = Image(width: 420, height: 200, format: .gray, filledWith: 205)
        for index in 0..<16 { Self.ring(in: &image, x0: 20 + index * 24, y0: 80, width: 16, height: 30, stroke: 5) }
        let recognizer = ScriptedRecognizer(digits: guesses("0123456789012345"))
        let (result, _) = try PhotoReader(recognizer: recognizer).read(bytes: try image.pngData())
        #expect(result.status.rawValue == "rejected")
        #expect(recognizer.digitCalls == 0)
    }

    @Test func nothingReadIsRejected() throws {
        let (result, _) = try PhotoReader(recognizer: NullRecognizer()).read(bytes: Self.meterPhoto)
        #expect(result.status.rawValue == "rejected")
        #expect(result.reading == nil)
        #expect(result.reasons.first?.code.rawValue == "too_few_digits")
    }

    @Test(arguments: [
        ([UInt8]("not a photo".utf8), "decode_error"),
        (flat(8), "too_dark"),
        (flat(180), "no_counter_found"),
        (smeared, "blurred"),
    ])
    func unusablePhotosAreRejectedWithTheirReason(_ bytes: [UInt8], _ code: String) throws {
        let (result, _) = try PhotoReader(recognizer: NullRecognizer()).read(bytes: bytes)
        #expect(result.status.rawValue == "rejected")
        #expect(result.reasons.first?.code.rawValue == code)
        #expect(!result.reply.text.isEmpty)
    }

    @Test func engineFailureIsNotAPhotoProblem() {
        #expect(throws: OCRError.self) {
            _ = try PhotoReader(recognizer: FailingRecognizer()).read(bytes: Self.meterPhoto)
        }
    }
}
