import Foundation
import MeterImage
@testable import MeterVision
import Testing

/// Rows whose digit count the locator used to get wrong: seven-segment "1"s, solid bars,
/// missing digits, and decimal points that run into the next digit.
@Suite("Digit positions in a row")
struct SegmentationTests {
    /// The best row the locator finds in `meter`, cut by the extractor with the locator's own
    /// decimal mark ignored: what the full-resolution search alone makes of the row.
    func extractedWithoutLocatorMark(_ meter: SyntheticMeter, positions: Int? = nil) throws -> CounterCrop {
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        if let positions { try #require(candidate.cellCenters.count == positions) }
        candidate.decimalAfter = nil
        return CounterExtractor().extract(candidate, from: meter.image)
    }

    /// Seven-segment displays light only the right-hand segments for a "1": its bar stands at
    /// the right of its position, not in the middle.
    @Test func placesRightAlignedOnesOnThePitch() throws {
        var meter = SyntheticMeter()
        for index in 0..<6 {
            let x = 60 + index * 26
            if index == 1 || index == 3 {
                meter.fill(x: x + 14, y: 60, w: 4, h: 30, value: 30)
            } else {
                meter.glyph(x: x, y: 60, w: 18, h: 30)
            }
        }
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6)
        #expect(abs(best.pitch - 26) < 1.5)
        for index in [1, 3] {
            // The position's middle, not the bar's (which is 7 px further right).
            #expect(abs(best.cellCenters[index].x - Double(60 + index * 26 + 9)) < 2.5)
        }
    }

    /// A row of seven-segment digits ending in right-aligned "1"s is continued past them from
    /// the positions' centres, not from the bars': the digits after them, run together into
    /// one blob (two digits joined by their decimal point), are taken in where they stand.
    @Test func extendsARowPastRightAlignedOnesFromThePositions() throws {
        var meter = SyntheticMeter()
        for index in 0..<3 { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        for index in 3..<5 { meter.fill(x: 60 + index * 26 + 14, y: 60, w: 4, h: 30, value: 30) }
        for index in 5..<7 { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        meter.fill(x: 60 + 5 * 26 + 17, y: 86, w: 10, h: 4, value: 30)  // the point joining them
        let best = try #require(CounterLocator().locate(meter.image).first)
        try #require(best.cellCenters.count >= 6)
        #expect(abs(best.cellCenters[5].x - Double(60 + 5 * 26 + 9)) < 3)
    }

    /// A solid bar touches its bounding box all round, as a window interior does; it is a "1".
    @Test func takesASolidBarForAOne() throws {
        var meter = SyntheticMeter()
        for index in 0..<5 {
            let x = 60 + index * 26
            if index == 2 {
                meter.fill(x: x + 7, y: 60, w: 5, h: 30, value: 30)
            } else {
                meter.glyph(x: x, y: 60, w: 18, h: 30)
            }
        }
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 5)
        #expect(best.inferred == [false, false, false, false, false])
    }

    /// Half the gaps hide a digit: the pitch is the short spacing, not the median one.
    @Test func takesThePitchFromTheSpacingMostGapsFit() throws {
        var meter = SyntheticMeter()
        for index in [0, 2, 4, 5] { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6)
        #expect(abs(best.pitch - 26) < 1.5)
        #expect(best.inferred == [false, true, false, true, false, false])
    }

    /// Fraction drums often sit in a window of their own: the gap before them is one and a
    /// half pitches, a frame, not a digit the threshold missed.
    @Test func fillsNoDigitIntoTheGapBeforeTheFractionWindow() throws {
        var meter = SyntheticMeter()
        meter.row(count: 5, x: 40, y: 60, w: 18, h: 30, pitch: 26)
        meter.row(count: 3, x: 40 + 4 * 26 + 39, y: 60, w: 18, h: 30, pitch: 26)
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 8)
        #expect(best.inferred.allSatisfy { !$0 })
    }

    /// Shapes that happen to fall on a pitch with more gaps than shapes (tiles, a grid) are not
    /// a counter with its digits missing.
    @Test func refusesARowThatIsMostlyGaps() {
        var meter = SyntheticMeter()
        for index in [0, 3, 4, 7] { meter.glyph(x: 40 + index * 26, y: 60, w: 18, h: 30) }
        #expect(CounterLocator().locate(meter.image).allSatisfy { $0.cellCenters.count < 8 })
    }

    /// A decimal point the locator did not see as a mark of its own (on LCDs it runs into a
    /// digit at the locating scale) is found in the full-resolution strip.
    @Test func extractorFindsADecimalPointTheLocatorMissed() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + 3 * 26 + 20, y: 85, w: 4, h: 4, value: 30)  // after the 4th digit
        let crop = try extractedWithoutLocatorMark(meter)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
    }

    /// A position the locator only counted on from the row (no shape of its own) is cut where
    /// its digit's ink is, not where the pitch put it; one filled into a gap with no digit of
    /// its own does not move onto a neighbour's digit.
    @Test(arguments: [(8.0, true), (-8.0, true), (0.0, false)])
    func extractorCutsAnInferredPositionOnItsInk(offset: Double, ownDigit: Bool) throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        try #require(candidate.cellCenters.count == 6)
        if ownDigit {
            // The last digit, found a third of a pitch off.
            candidate.inferred[5] = true
            candidate.cellCenters[5].x += offset
        } else {
            // An extra position between the third and the fourth digit, near enough to the
            // fourth to be taken for it.
            let (third, fourth) = (candidate.cellCenters[2], candidate.cellCenters[3])
            let between = Point(x: third.x + 0.7 * (fourth.x - third.x), y: third.y)
            candidate.cellCenters.insert(between, at: 3)
            candidate.inferred.insert(true, at: 3)
            candidate.darkInk.insert(true, at: 3)
        }
        let cells = CounterExtractor().extract(candidate, from: meter.image).cells
        let pitch = Double(cells[1].frame.x - cells[0].frame.x)
        if ownDigit {
            #expect(abs(Double(cells[5].frame.x - cells[4].frame.x) - pitch) <= 1)
        } else {
            #expect(abs(Double(cells[3].frame.x - cells[2].frame.x) - 0.7 * pitch) <= 1)
        }
    }

    /// Digits standing close above the edge of their window or panel: the edge runs along
    /// the band below the baseline where a comma's tail would hang, under every column. It is
    /// no tail, and the point is as clear as without it.
    @Test func extractorFindsAPointAboveAWindowEdge() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + 3 * 26 + 20, y: 85, w: 4, h: 4, value: 30)  // after the 4th digit
        meter.fill(x: 30, y: 95, w: 250, h: 2, value: 30)  // the window's lower edge
        let crop = try extractedWithoutLocatorMark(meter)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
        #expect(crop.possibleDecimalAfter.isEmpty)  // a clear point, not a comma-like mark for a clerk
    }

    /// Digits packed close, their positions a third of a pitch off (the pitch changes along a
    /// panel seen at an angle): the search after a digit would begin in the next one, past the
    /// point in the narrow gap. It begins at the gap.
    @Test func extractorFindsAPointInANarrowGapPastAnOffPosition() throws {
        var meter = SyntheticMeter()
        for index in 0..<6 {
            meter.glyph(x: 60 + index * 24, y: 60, w: 18, h: 30)
            meter.fill(x: 60 + index * 24, y: 73, w: 18, h: 4, value: 30)  // a middle bar: an "8"
        }
        meter.fill(x: 60 + 3 * 24 + 19, y: 86, w: 3, h: 4, value: 30)  // in the gap after the 4th digit
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        try #require(candidate.cellCenters.count == 6)
        candidate.decimalAfter = nil
        for index in candidate.cellCenters.indices { candidate.cellCenters[index].x += 8 }
        let crop = CounterExtractor().extract(candidate, from: meter.image)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
    }

    /// Seven-segment digits packed closer than their width says: the search for a foot under
    /// the digit a point touches starts in the previous digit, whose bottom bar is no foot of
    /// this one. The point is a possible decimal point, split on.
    @Test func extractorTakesNoFootFromThePreviousDigit() throws {
        var meter = SyntheticMeter()
        for index in 0..<6 {
            // The third digit wider, two pixels from the fourth.
            let width = index == 2 ? 20 : 18
            meter.glyph(x: 60 + index * 22, y: 60, w: width, h: 30)
            meter.fill(x: 60 + index * 22, y: 73, w: width, h: 4, value: 30)  // a middle bar: an "8"
        }
        meter.fill(x: 60 + 3 * 22 + 18, y: 86, w: 2, h: 4, value: 30)  // touching the 4th digit
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        try #require(candidate.cellCenters.count == 6)
        candidate.decimalAfter = nil
        candidate.digitWidth = 23  // as a row with a digit and its point taken as one shape says
        let crop = CounterExtractor().extract(candidate, from: meter.image)
        #expect(crop.possibleDecimalAfter == [3])
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
    }

    /// A close-up's tall digits are cut at a bounded height: the strip is scaled down, the
    /// cells and the decimal point are the same as for small digits, and the cell frames map
    /// back onto the photo's row.
    @Test func extractorCutsTallDigitsAtABoundedScale() throws {
        var meter = SyntheticMeter(width: 1400, height: 800)
        meter.row(count: 6, x: 100, y: 100, w: 120, h: 200, pitch: 170)
        meter.fill(x: 100 + 3 * 170 + 133, y: 270, w: 26, h: 26, value: 30)  // after the 4th digit
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = nil
        let extractor = CounterExtractor()
        let crop = extractor.extract(candidate, from: meter.image)
        #expect(crop.stripScale < 0.5)
        #expect(Double(crop.strip.height) <= 1.8 * extractor.maxStripDigitHeight + 1)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
        #expect(crop.cells.allSatisfy { !$0.isInferred })
        // The first cell's centre, back in photo coordinates, is the first digit's centre.
        let first = crop.cells[0].frame
        let stripCenter = Double(first.x) + Double(first.width) / 2 - Double(crop.strip.width) / 2
        let mid = (candidate.cellCenters[0].x + candidate.cellCenters[5].x) / 2
        #expect(abs(mid + stripCenter / crop.stripScale - 160) < 12)
    }

    /// A seven-segment point touching the bottom of a "1" is a possible decimal point (split
    /// on, for a clerk); the same ink under a "1" standing on a foot serif is not.
    @Test func extractorTellsAPointTouchingAOneFromItsFoot() throws {
        func meter(foot: Bool) -> Image {
            var meter = SyntheticMeter()
            for index in [0, 1, 2, 4, 5] { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
            let x = 60 + 3 * 26
            meter.fill(x: x + 9, y: 60, w: 5, h: 30, value: 30)  // the "1"
            if foot {
                meter.fill(x: x + 5, y: 86, w: 13, h: 4, value: 30)
            } else {
                meter.fill(x: x + 14, y: 86, w: 4, h: 4, value: 30)  // the point, touching it
            }
            return meter.image
        }
        for foot in [false, true] {
            let image = meter(foot: foot)
            var candidate = try #require(CounterLocator().locate(image).first)
            #expect(candidate.cellCenters.count == 6)
            candidate.decimalAfter = nil
            let crop = CounterExtractor().extract(candidate, from: image)
            #expect(crop.possibleDecimalAfter == (foot ? [] : [3]))
            #expect(crop.cells.map(\.isFraction) == (foot ? Array(repeating: false, count: 6) : [false, false, false, false, true, true]))
        }
    }

    /// Ink touching the bottom of a digit on a foot may still be a point pressed against a
    /// seven-segment digit's bottom bar. After the fifth digit it goes to a clerk without a
    /// split (missed there, a point makes a five-and-one register six plain digits); earlier,
    /// as above, it is the digit's foot.
    @Test func aFootAfterTheFifthDigitMayBeAPointForAClerk() throws {
        var meter = SyntheticMeter()
        for index in [0, 1, 2, 3, 5] { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        let x = 60 + 4 * 26
        meter.fill(x: x + 9, y: 60, w: 5, h: 30, value: 30)  // a "1" on a foot
        meter.fill(x: x + 5, y: 86, w: 13, h: 4, value: 30)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        #expect(candidate.cellCenters.count == 6)
        candidate.decimalAfter = nil
        let crop = CounterExtractor().extract(candidate, from: meter.image)
        #expect(crop.possibleDecimalAfter == [4])
        #expect(crop.cells.allSatisfy { !$0.isFraction })
    }

    /// A serifed "1" whose foot is wider than the row's digits reaches past the digit's width
    /// into the gap: the ink there comes from the digit, so it is the foot (or a point pressed
    /// against it, for a clerk), not a point standing on its own to split on. The strip is
    /// searched directly, its baseline known.
    @Test func aFootReachingIntoTheGapIsNoPointOfItsOwn() {
        var strip = SyntheticMeter(width: 200, height: 60)
        let positions = (0..<6).map { 20 + 26 * $0 }
        for (index, center) in positions.enumerated() where index != 4 {
            strip.glyph(x: center - 9, y: 15, w: 18, h: 30)
        }
        let one = positions[4]
        strip.fill(x: one - 2, y: 15, w: 5, h: 30, value: 30)  // the stem
        strip.fill(x: one - 9, y: 41, w: 21, h: 4, value: 30)  // the foot, 3 px past a digit's width
        let found = CounterExtractor().decimalPoint(
            in: strip.image, positions: positions.map(Double.init), baseline: 45, digitHeight: 30,
            digitWidth: 18, pitch: 26, darkInk: Array(repeating: true, count: 6))
        #expect(found.point == nil)
        #expect(found.possible.isEmpty)
        #expect(found.footOrPoint == [4])
    }

    /// A line under the digits that runs along more than half of the strip (the edge of an
    /// LCD's panel, faint, so not all along it) is no comma's tail hanging under a point.
    @Test func aLineUnderTheRowIsNoCommaTail() {
        var strip = SyntheticMeter(width: 200, height: 60)
        let positions = (0..<6).map { 20 + 26 * $0 }
        for center in positions { strip.glyph(x: center - 9, y: 15, w: 18, h: 30) }
        strip.fill(x: positions[3] + 12, y: 41, w: 4, h: 4, value: 30)  // the point after the 4th digit
        strip.fill(x: 20, y: 51, w: 130, h: 1, value: 30)  // the line, along 65 % of the strip
        let found = CounterExtractor().decimalPoint(
            in: strip.image, positions: positions.map(Double.init), baseline: 45, digitHeight: 30,
            digitWidth: 18, pitch: 26, darkInk: Array(repeating: true, count: 6))
        #expect(found.point == 3)
        #expect(found.possible.isEmpty)
    }

    /// The foot of a slanted digit reaching left into the gap along the baseline (the bottom
    /// corner of an italic seven-segment "2") is that digit's, not a point after the one before.
    @Test func extractorTakesASlantedDigitsFootForNoPoint() throws {
        var meter = SyntheticMeter()
        for index in [0, 1, 2, 3, 5] { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        meter.glyph(x: 60 + 4 * 26 + 4, y: 60, w: 18, h: 30)
        meter.fill(x: 60 + 4 * 26 - 4, y: 86, w: 10, h: 4, value: 30)  // its foot, into the gap
        let crop = try extractedWithoutLocatorMark(meter, positions: 6)
        #expect(crop.cells.allSatisfy { !$0.isFraction })
        #expect(crop.possibleDecimalAfter.isEmpty)
    }

    /// A printed digit's tail reaching left along the baseline into the gap (the bottom of a
    /// "3" or "5", the serif of a "1") starts late in the gap and runs into its digit: no
    /// point after the digit before. The same mark standing free, clear of the next digit, is
    /// a point; so is one touching it with a comma's tail hanging below the baseline,
    /// or only dipping just below it (a short comma).
    @Test(arguments: [("tail", false), ("free", true), ("comma", true), ("short comma", true)])
    func extractorTakesATailOfTheNextDigitForNoPoint(mark: String, isPoint: Bool) throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 30)
        // The gap after the 4th digit spans x 168..<180; the mark starts 7 px (0.23 pitch) in.
        meter.fill(x: 175, y: 84, w: mark == "free" ? 3 : 5, h: 5, value: 30)
        if mark == "comma" { meter.fill(x: 175, y: 89, w: 2, h: 9, value: 30) }
        if mark == "short comma" { meter.fill(x: 175, y: 89, w: 2, h: 4, value: 30) }
        let crop = try extractedWithoutLocatorMark(meter, positions: 6)
        #expect(crop.cells.map(\.isFraction) == (0..<6).map { isPoint && $0 >= 4 })
    }

    /// A point given room of its own (printed plates, some LCDs) pushes the fraction digits
    /// right: it sits most of a pitch past the digit before it, and is still found there.
    @Test func extractorFindsAPointWithRoomOfItsOwn() throws {
        var meter = SyntheticMeter()
        meter.row(count: 4, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.row(count: 2, x: 60 + 4 * 26 + 12, y: 60, w: 18, h: 30, pitch: 26)
        // The 4th digit's centre is at x 147, the pitch comes out near 28: the point starts
        // more than 0.8 of it further on.
        meter.fill(x: 170, y: 85, w: 4, h: 5, value: 30)
        let crop = try extractedWithoutLocatorMark(meter, positions: 6)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
    }

    /// Italic seven-segment digits lean over the gap where their point sits: measured
    /// upright, the point is found under the last digit's overhang.
    @Test func extractorFindsAPointUnderAnItalicDigit() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + 3 * 26 + 19, y: 85, w: 4, h: 5, value: 30)  // after the 4th digit
        meter.shear(lean: 0.2, about: 90)  // the top of each digit 6 px right of its foot
        let crop = try extractedWithoutLocatorMark(meter, positions: 6)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
    }

    /// The lean of italic digits is measured from the columns of their strokes.
    @Test(arguments: [0.0, 0.1, 0.2])
    func measuresTheLeanOfItalicDigits(lean: Double) {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.shear(lean: lean, about: 75)
        #expect(Slant.estimate(meter.image, level: 100, dark: true, rows: 60...89, middle: 75) == lean)
    }

    /// Bold, soft seven-segment digits ("047953", segments 0.4 of the digit's width): their
    /// horizontal bars fill as many columns at any lean and drown the lean in the ink; the
    /// edges of the vertical segments still show it. The panel's upright frame beside them is
    /// left out of the columns counted.
    @Test(arguments: [0.0, 0.1, 0.15])
    func measuresTheLeanOfBoldSevenSegmentDigits(lean: Double) {
        let segments: [Character: String] = ["0": "abcdef", "4": "bcfg", "7": "abc", "9": "abcdfg", "5": "acdfg", "3": "abcdg"]
        var meter = SyntheticMeter()
        let (width, height, stroke) = (20, 32, 8)
        for (index, digit) in "047953".enumerated() {
            let (x, y) = (60 + index * 28, 60)
            let lit = segments[digit] ?? ""
            func bar(_ segment: Character, _ top: Int) {
                if lit.contains(segment) { meter.fill(x: x, y: top, w: width, h: stroke, value: 30) }
            }
            func side(_ segment: Character, _ left: Int, _ top: Int) {
                if lit.contains(segment) { meter.fill(x: left, y: top, w: stroke, h: height / 2, value: 30) }
            }
            bar("a", y)
            bar("g", y + height / 2 - stroke / 2)
            bar("d", y + height - stroke)
            side("f", x, y)
            side("e", x, y + height / 2)
            side("b", x + width - stroke, y)
            side("c", x + width - stroke, y + height / 2)
        }
        meter.shear(lean: lean, about: 76)
        for x in [40, 236] { meter.fill(x: x, y: 50, w: 4, h: 52, value: 30) }  // the panel's frame
        meter.blur(radius: 2)
        let measured = Slant.estimate(
            meter.image, level: 115, dark: true, rows: 57...91, middle: 76, columns: 50..<232)
        #expect(measured == lean)
    }

    /// Light fraction drums after dark integer ones, in a gray photo (no red to go by): the
    /// turn of polarity is the best guess for the split, handed back as a possible point.
    @Test func extractorSplitsWherePolarityTurns() throws {
        let meter = SyntheticMeter.darkThenLightRow
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        #expect(candidate.darkInk == [true, true, true, true, true, false, false, false])
        candidate.decimalAfter = nil
        let crop = CounterExtractor().extract(candidate, from: meter.image)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, false, true, true, true])
        #expect(crop.possibleDecimalAfter == [4])
    }

    /// A point pressed against the last stroke of a "1" lies partly under it: the part that
    /// shows (3 columns of a 60 px digit, short of a free point's 4) still makes it a
    /// possible point.
    @Test func extractorFindsAPointHalfUnderAStroke() throws {
        var meter = SyntheticMeter()
        for index in [0, 1, 2, 4, 5] { meter.glyph(x: 40 + index * 50, y: 60, w: 36, h: 60) }
        let x = 40 + 3 * 50
        meter.fill(x: x + 20, y: 60, w: 8, h: 60, value: 30)  // the "1"
        meter.fill(x: x + 25, y: 113, w: 6, h: 7, value: 30)  // the point, half under it
        let crop = try extractedWithoutLocatorMark(meter, positions: 6)
        #expect(crop.possibleDecimalAfter == [3])
    }

    /// Cutting cells off a crop's ends shifts the marks after positions with them, and drops
    /// a mark whose cell on either side is gone; a cell left out inside the row (a decimal
    /// comma's room) moves the mark after it to the cell before it.
    @Test func keepingCellsShiftsTheMarks() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = 3
        var crop = CounterExtractor().extract(candidate, from: meter.image)
        crop.possibleDecimalAfter = [0, 2, 4]
        crop.unconfirmedDecimalAfter = 4
        let kept = crop.keepingCells(Array(1..<5))
        #expect(kept.cells.count == 4 && kept.candidate.cellCenters.count == 4)
        #expect(kept.cells[0].frame.x == crop.cells[1].frame.x)
        #expect(kept.candidate.cellCenters[0] == crop.candidate.cellCenters[1])
        #expect(kept.possibleDecimalAfter == [1] && kept.unconfirmedDecimalAfter == nil)
        #expect(kept.candidate.decimalAfter == 2 && kept.candidate.inferred.count == 4)
        crop.candidate.faintlyInferredLeading = 2
        #expect(crop.keepingCells(Array(1..<5)).candidate.faintlyInferredLeading == 1)
        #expect(crop.keepingCells(Array(3..<5)).candidate.faintlyInferredLeading == 0)
        let withoutRoom = crop.keepingCells([0, 1, 2, 3, 5])
        #expect(withoutRoom.cells.count == 5 && withoutRoom.cells[4].frame.x == crop.cells[5].frame.x)
        #expect(withoutRoom.possibleDecimalAfter == [0, 2, 3] && withoutRoom.unconfirmedDecimalAfter == 3)
        #expect(withoutRoom.candidate.decimalAfter == 3 && withoutRoom.candidate.faintlyInferredLeading == 2)
    }

    /// Without a point, and with marks that are not one (a bar under the whole row, a point
    /// that would leave fewer than three integer digits), every position stays an integer.
    @Test func extractorTakesNoBaselineMarkForAPointThatIsNone() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + 0 * 26 + 20, y: 85, w: 4, h: 4, value: 30)  // after the 1st digit
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = nil
        #expect(CounterExtractor().extract(candidate, from: meter.image).cells.allSatisfy { !$0.isFraction })
        var underlined = SyntheticMeter()
        underlined.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        underlined.fill(x: 56, y: 92, w: 6 * 26, h: 4, value: 30)
        var plain = try #require(CounterLocator().locate(underlined.image).first)
        plain.decimalAfter = nil
        #expect(CounterExtractor().extract(plain, from: underlined.image).cells.allSatisfy { !$0.isFraction })
    }

    /// A seven-segment "1" whose two segments came apart is no digit shape of its own, so the
    /// row ends before it; the ink there is reported, so that the reading is not trusted one
    /// digit short. A clean row reports nothing at either end.
    @Test func reportsInkThatMayBeADigitPastTheRowEnd() throws {
        let row = try Self.rowOfFive { meter, x in
            meter.fill(x: x + 13, y: 60, w: 4, h: 13, value: 30)
            meter.fill(x: x + 13, y: 77, w: 4, h: 13, value: 30)
        }
        #expect(row.cellCenters.count == 5)
        #expect(row.inkAfterLast)
        #expect(!row.inkBeforeFirst)

        let plain = try Self.rowOfFive { _, _ in }
        #expect(!plain.inkAfterLast && !plain.inkBeforeFirst)
    }

    /// The row located in a synthetic meter with five ring digits (30 px, pitch 26, the first
    /// at x 60) and whatever `after` draws at `x`, the left edge of the position after them.
    static func rowOfFive(after: (inout SyntheticMeter, _ x: Int) -> Void) throws -> CounterCandidate {
        var meter = SyntheticMeter()
        meter.row(count: 5, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        after(&meter, 60 + 5 * 26)
        return try #require(CounterLocator().locate(meter.image).first)
    }

    /// An italic digit after the row leans out of the upright box at the next position: ink
    /// over most of the digit height there is reported even if it misses the box's top or
    /// bottom; a unit's lower-case letters, half as tall, are not.
    @Test(arguments: [(22, true), (13, false)])
    func reportsInkOverMostOfTheHeightPastTheRowEnd(inkHeight: Int, reported: Bool) throws {
        let row = try Self.rowOfFive { meter, x in meter.glyph(x: x, y: 90 - inkHeight, w: 18, h: inkHeight) }
        #expect(row.cellCenters.count == 5)
        #expect(row.inkAfterLast == reported)
    }

    /// A drum caught mid-roll after the row shows only the foot of one digit at the top of its
    /// window and the head of the next at the bottom: a third of the height in ink, at both
    /// ends, is reported after the row (a last integer drum the row did not take in).
    @Test func reportsADrumCaughtMidRollPastTheRowEnd() throws {
        let row = try Self.rowOfFive { meter, x in
            meter.fill(x: x + 3, y: 60, w: 12, h: 5, value: 30)
            meter.fill(x: x + 3, y: 85, w: 12, h: 5, value: 30)
        }
        #expect(row.cellCenters.count == 5)
        #expect(row.inkAfterLast)
    }

    /// A drum at the right end with the next digit most of the way in shows one digit-tall
    /// piece, as at rest, but sunk below the row's line: it is caught mid-roll, the digit
    /// rolling in read, on long rows and on short ones. A digit only a little low, or a row
    /// whose digits sink before the right end as well (a line that does not fit the row),
    /// marks nothing.
    @Test(arguments: [(8, 11, 1, true), (5, 11, 1, true), (8, 4, 1, false), (8, 11, 4, false)])
    func marksADrumSunkBelowTheRowAsMidRoll(count: Int, drop: Int, sunk: Int, marked: Bool) throws {
        var meter = SyntheticMeter()
        meter.row(count: count - sunk, x: 40, y: 60, w: 18, h: 30, pitch: 26)
        for index in (count - sunk)..<count { meter.glyph(x: 40 + index * 26, y: 60 + drop, w: 18, h: 30) }
        let crop = try extractedWithoutLocatorMark(meter, positions: count)
        #expect(crop.cells.map(\.isRolling) == (0..<count).map { marked && $0 == count - 1 })
        if marked { #expect(crop.cells[count - 1].roll.dominantIsUpper == false) }
    }

    /// On a row of five the third drum from the right is a point of the line, and may itself
    /// be turning, high in its window, with the two after it: a line it bends is not trusted,
    /// and the drums after it at rest are not taken for sunk.
    @Test func takesNoSunkenDrumsFromALineAShortRowsTurningDrumBends() throws {
        var meter = SyntheticMeter()
        for index in 0..<5 { meter.glyph(x: 60 + index * 26, y: index == 2 ? 53 : 60, w: 18, h: 30) }
        let crop = try extractedWithoutLocatorMark(meter, positions: 5)
        #expect(!crop.cells.contains { $0.isRolling })
    }

    /// A dark digit before the row whose lower half is faint (the left stroke and foot of a
    /// "0" fading on a tilted panel), standing on a faint smear that makes it no digit shape
    /// in the faint pass: the usual passes see only its top half, too little for a digit, and
    /// the faint pass keeps the rest, so the row is continued there and the position is marked
    /// as inferred from the faint pass alone.
    @Test func continuesARowBeforeItOnFaintInk() throws {
        var meter = SyntheticMeter()
        meter.row(count: 5, x: 86, y: 60, w: 18, h: 30, pitch: 26)
        var whole = SyntheticMeter()
        whole.glyph(x: 60, y: 60, w: 18, h: 30)
        meter.glyph(x: 60, y: 60, w: 18, h: 30, value: 160)
        for row in 60..<77 {
            for column in 58..<80 { meter.pixels[row * meter.width + column] = whole.pixels[row * whole.width + column] }
        }
        meter.fill(x: 20, y: 86, w: 42, h: 4, value: 160)
        let row = try #require(CounterLocator().locate(meter.image).first)
        #expect(row.cellCenters.count == 6)
        #expect(row.inferred.first == true && row.faintlyInferredLeading == 1)
        #expect(abs(row.cellCenters[0].x - 69) <= 3)
    }

    /// The edge of a window or panel beside the row is no missing digit: before the row it
    /// hugs the left of the position, and a housing edge runs on past the digit height.
    @Test func takesNoFrameEdgeForAMissingDigit() throws {
        var meter = SyntheticMeter()
        meter.row(count: 5, x: 80, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 80 - 26 + 1, y: 56, w: 3, h: 38, value: 30)  // window edge before the row
        meter.fill(x: 80 + 5 * 26 + 8, y: 20, w: 3, h: 120, value: 30)  // housing edge after it
        let row = try #require(CounterLocator().locate(meter.image).first)
        #expect(row.cellCenters.count == 5)
        #expect(!row.inkBeforeFirst)
        #expect(!row.inkAfterLast)
    }

    /// A mark at the baseline too small to be sure of is handed back as a possible decimal
    /// point; the only one is the best guess for the split. So is a point only two columns
    /// wide even where that is wide enough (30 px digits): the end of a stroke shows as much.
    @Test func extractorReportsAFaintMarkAsAPossibleDecimalPoint() throws {
        // Digits 60 px tall: a point needs 4 px to count, and this one is 2 px wide.
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 40, y: 60, w: 36, h: 60, pitch: 50)
        meter.fill(x: 40 + 3 * 50 + 40, y: 114, w: 2, h: 5, value: 30)  // after the 4th digit
        var small = SyntheticMeter()
        small.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        small.fill(x: 60 + 3 * 26 + 21, y: 85, w: 2, h: 4, value: 30)  // after the 4th digit
        for marked in [meter, small] {
            let crop = try extractedWithoutLocatorMark(marked)
            #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
            #expect(crop.possibleDecimalAfter == [3])
        }

        var plain = SyntheticMeter()
        plain.row(count: 6, x: 40, y: 60, w: 36, h: 60, pitch: 50)
        var clean = try #require(CounterLocator().locate(plain.image).first)
        clean.decimalAfter = nil
        #expect(CounterExtractor().extract(clean, from: plain.image).possibleDecimalAfter.isEmpty)
    }

    /// Digits 20 px tall, as on a small LCD in a photo sent at messenger size: a point one
    /// pixel wide is a speck at that scale; in a strip sampled finer for the search it is a
    /// point (one for a clerk to confirm, being so small).
    @Test func extractorFindsATinyPointBesideSmallDigits() throws {
        func meter(point: Bool) -> SyntheticMeter {
            var meter = SyntheticMeter()
            meter.row(count: 6, x: 60, y: 60, w: 13, h: 20, pitch: 17)
            if point { meter.fill(x: 60 + 3 * 17 + 15, y: 77, w: 1, h: 3, value: 30) }  // after the 4th digit
            return meter
        }
        let crop = try extractedWithoutLocatorMark(meter(point: true), positions: 6)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
        #expect(crop.possibleDecimalAfter == [3])
        let clean = try extractedWithoutLocatorMark(meter(point: false), positions: 6)
        #expect(clean.cells.allSatisfy { !$0.isFraction } && clean.possibleDecimalAfter.isEmpty)
    }

    /// The locator takes any small blob low in a gap for a decimal mark. One that the
    /// full-resolution strip does not show as a point with clear space above it (here a speck
    /// under another) is reported as unconfirmed; a clean point is not.
    @Test func extractorFlagsALocatorMarkTheStripDoesNotBearOut() throws {
        var specked = SyntheticMeter()
        specked.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        specked.fill(x: 60 + 3 * 26 + 20, y: 85, w: 4, h: 4, value: 30)
        specked.fill(x: 60 + 3 * 26 + 20, y: 68, w: 4, h: 4, value: 30)
        let candidate = try #require(CounterLocator().locate(specked.image).first)
        #expect(candidate.decimalAfter == 3)
        #expect(CounterExtractor().extract(candidate, from: specked.image).unconfirmedDecimalAfter == 3)

        var pointed = SyntheticMeter()
        pointed.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        pointed.fill(x: 60 + 3 * 26 + 20, y: 85, w: 4, h: 4, value: 30)
        let clean = try #require(CounterLocator().locate(pointed.image).first)
        #expect(clean.decimalAfter == 3)
        #expect(CounterExtractor().extract(clean, from: pointed.image).unconfirmedDecimalAfter == nil)
    }

    /// A locator mark the strip does not show, with a clear point in another gap: the split
    /// follows the point, and the mark is still reported for a clerk.
    @Test func extractorSplitsAtTheStripsPointOverAnUnseenMark() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + 3 * 26 + 20, y: 85, w: 4, h: 4, value: 30)  // after the 4th digit
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = 4  // a speck the locator took for the mark
        let crop = CounterExtractor().extract(candidate, from: meter.image)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
        #expect(crop.unconfirmedDecimalAfter == 4)
    }

    /// A locator mark the strip does not show, with red drums beginning elsewhere: the split
    /// follows the red, and the mark is still reported for a clerk.
    @Test func extractorSplitsWhereTheRedBeginsOverAnUnseenMark() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        var rgb = meter.rgb
        meter.paint(&rgb, columns: (60 + 4 * 26 - 1)..<(60 + 6 * 26 - 4), rows: 52..<98, color: (210, 40, 40))
        let photo = Image(width: meter.width, height: meter.height, format: .rgb, pixels: rgb)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = 2  // a speck the locator took for the mark
        let crop = CounterExtractor().extract(candidate, from: photo)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
        #expect(crop.unconfirmedDecimalAfter == 2)
    }

    /// A comma hangs below the baseline, where a point must leave background: the locator's
    /// comma is borne out by the strip, and one the locator missed is still a possible mark.
    @Test func extractorTakesACommaForAPossibleDecimalMark() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 40, y: 60, w: 36, h: 60, pitch: 50)
        let x = 40 + 3 * 50 + 40
        meter.fill(x: x, y: 112, w: 7, h: 8, value: 30)  // the comma's head, on the baseline
        meter.fill(x: x + 1, y: 120, w: 5, h: 12, value: 30)  // its tail
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        #expect(candidate.decimalAfter == 3)
        #expect(CounterExtractor().extract(candidate, from: meter.image).unconfirmedDecimalAfter == nil)
        candidate.decimalAfter = nil
        let crop = CounterExtractor().extract(candidate, from: meter.image)
        #expect(crop.possibleDecimalAfter == [3])
    }

    /// The last black drum's pitch takes in a strip of its red neighbour's frame: it stays an
    /// integer digit; the red drum is the fraction.
    @Test func redSpillFromTheNextDrumDoesNotMakeAFraction() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        let lastDrum = 60 + 5 * 26 - 4
        let (_, crop) = try Self.cutWithRed(
            meter,
            areas: [
                (lastDrum..<(lastDrum + 26), 52..<98),  // the red fraction drum
                ((lastDrum - 3)..<lastDrum, 52..<98),  // its frame, in the 5th pitch
            ])
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, false, true])
        #expect(crop.cells[4].redness > 0)
    }

    /// A position the locator counted on past the red drums for ink there (the unit after the
    /// counter, the plate's edge) shows no red: fraction drums are red to the last, so the
    /// counter ends with the red drums and the position is cut off. A shape the locator found
    /// there stays, and the row then has no red end.
    @Test(arguments: [true, false])
    func cutsAnInferredPositionPastTheRedDrums(inferred: Bool) throws {
        var meter = SyntheticMeter()
        meter.row(count: 7, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        let (candidate, crop) = try Self.cutWithRed(meter, areas: [((60 + 4 * 26 - 4)..<(60 + 6 * 26 - 4), 52..<98)]) {
            if $0.inferred.count == 7 { $0.inferred[6] = inferred }
        }
        try #require(candidate.cellCenters.count == 7)
        if inferred {
            #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
            #expect(crop.candidate.cellCenters.count == 6)
        } else {
            #expect(crop.cells.count == 7)
            #expect(!crop.cells.contains { $0.isFraction })
        }
    }

    /// Red digits on white fraction drums: a red "1" is a thin stroke, less red over its whole
    /// pitch than the neighbour's frame spills into a black drum (under the share that marks a
    /// red drum), but its red lies in the middle of the pitch. Before the red drums, or ending
    /// the row, it is one of them; black in the same place is not.
    @Test(arguments: [(3, true), (3, false), (5, true)])
    func aThinRedOneIsAFractionDrum(oneAt: Int, red: Bool) throws {
        var meter = SyntheticMeter()
        for index in 0..<6 where index != oneAt { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        meter.fill(x: 60 + oneAt * 26 + 8, y: 60, w: 2, h: 30, value: 30)
        var rgb = meter.rgb
        let redFrom = red ? 3 : 4
        for row in 60..<90 {
            for column in (60 + redFrom * 26 - 2)..<(60 + 6 * 26)
            where meter.pixels[row * meter.width + column] != meter.background {
                let index = 3 * (row * meter.width + column)
                (rgb[index], rgb[index + 1], rgb[index + 2]) = (200, 30, 30)  // red ink only
            }
        }
        let photo = Image(width: meter.width, height: meter.height, format: .rgb, pixels: rgb)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        if oneAt == 5, candidate.cellCenters.count == 5, let last = candidate.cellCenters.last {
            // A bar ending the row is no digit shape to the locator (a frame's edge looks the
            // same); a reader reaches it as a position counted on.
            candidate.cellCenters.append(Point(x: last.x + candidate.pitch, y: last.y))
            candidate.inferred.append(false)
            candidate.darkInk.append(true)
        }
        try #require(candidate.cellCenters.count == 6)
        candidate.decimalAfter = nil
        let extractor = CounterExtractor()
        let crop = extractor.extract(candidate, from: photo)
        #expect(crop.cells.map(\.isFraction) == (0..<6).map { $0 >= redFrom })
        if red { #expect(crop.cells[oneAt].redness < extractor.fractionRedShare) }
    }

    /// Under warm indoor light (red up, blue down) the white of the face is nearly as "red" as a
    /// drum by 2·R − G − B alone; measured after the strip's white balance, the red drum is
    /// still the only fraction.
    @Test func warmLightLeavesOnlyTheRedDrumRed() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        let lastDrum = 60 + 5 * 26 - 4
        let (_, crop) = try Self.cutWithRed(
            meter, areas: [(lastDrum..<(lastDrum + 26), 52..<98)], light: (1.15, 1, 0.8))
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, false, true])
    }

    /// The row of `meter` as located, without a decimal mark and changed by `adjust`, and cut
    /// from its RGB picture with red painted over each of `areas` (columns, rows), all under
    /// `light` (gains on R, G, B).
    static func cutWithRed(
        _ meter: SyntheticMeter, areas: [(Range<Int>, Range<Int>)], light: (Double, Double, Double) = (1, 1, 1),
        adjust: (inout CounterCandidate) -> Void = { _ in }
    ) throws -> (CounterCandidate, CounterCrop) {
        var rgb = meter.rgb
        for (columns, rows) in areas { meter.paint(&rgb, columns: columns, rows: rows, color: (210, 40, 40)) }
        let gains = [light.0, light.1, light.2]
        for index in rgb.indices { rgb[index] = UInt8(min(255, (Double(rgb[index]) * gains[index % 3]).rounded())) }
        let photo = Image(width: meter.width, height: meter.height, format: .rgb, pixels: rgb)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = nil
        adjust(&candidate)
        return (candidate, CounterExtractor().extract(candidate, from: photo))
    }

    /// A red drum whose red shows only in its window's frame, just above and below the strip the
    /// digits are read from, is still a fraction drum.
    @Test func redFrameAboveAndBelowTheDigitMakesAFraction() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 24, h: 40, pitch: 34)
        let lastDrum = 60 + 5 * 34 - 5
        // Digits 60..<100 (centre 80): the strip reaches 0.9 digit heights above and below it,
        // the frame's bars lie between 0.9 and 1.0.
        let (candidate, crop) = try Self.cutWithRed(
            meter, areas: [(lastDrum..<(lastDrum + 34), 40..<44), (lastDrum..<(lastDrum + 34), 116..<120)])
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, false, true])
        // The strip is the middle of the taller band, row for row: the same as from gray.
        let plain = Image(width: meter.width, height: meter.height, format: .rgb, pixels: meter.rgb)
        let gray = CounterExtractor().extract(candidate, from: meter.image).strip
        #expect(CounterExtractor().extract(candidate, from: plain).strip == gray)
    }

    /// A faint mark in the gap where the red drums begin is the frame between the windows (or a
    /// point printed there): it agrees with the colour's split, so it is no doubt for a clerk;
    /// nor is one between two red drums, all fraction digits. The same mark one gap before the
    /// red drums still is.
    @Test(arguments: [3, 4, 2])
    func aFaintMarkWhereTheRedDrumsBeginIsNoDoubt(markAfter: Int) throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + markAfter * 26 + 21, y: 85, w: 2, h: 4, value: 30)
        var rgb = meter.rgb
        meter.paint(&rgb, columns: (60 + 4 * 26 - 1)..<(60 + 6 * 26 - 4), rows: 52..<98, color: (240, 110, 110))
        let photo = Image(width: meter.width, height: meter.height, format: .rgb, pixels: rgb)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = nil
        let crop = CounterExtractor().extract(candidate, from: photo)
        #expect(crop.possibleDecimalAfter == (markAfter == 2 ? [2] : []))
        if markAfter != 2 { #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true]) }
    }

    /// Dark red drums in a black frame show only a little clear red: two such drums ending the
    /// row are the fraction; one alone is taken for the last black drum catching the red of a
    /// drum beyond the row, and stays an integer digit.
    @Test(arguments: [2, 1])
    func faintlyRedDrumsAtTheEndAreTheFraction(faintDrums: Int) throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        var rgb = meter.rgb
        for drum in (6 - faintDrums)..<6 {
            // Two red columns inside the drum's pitch, the rest of it gray.
            let columns = (60 + drum * 26 + 20)..<(60 + drum * 26 + 22)
            meter.paint(&rgb, columns: columns, rows: 60..<90, color: (200, 40, 40), onBackground: false)
        }
        let photo = Image(width: meter.width, height: meter.height, format: .rgb, pixels: rgb)
        var candidate = try #require(CounterLocator().locate(meter.image).first)
        candidate.decimalAfter = nil
        let extractor = CounterExtractor()
        let cells = extractor.extract(candidate, from: photo).cells
        #expect(cells.map(\.isFraction) == (0..<6).map { faintDrums == 2 && $0 >= 4 })
        // Faint: under the share that marks a red drum on its own.
        #expect(cells[5].redness > extractor.faintFractionRedShare && cells[5].redness < extractor.fractionRedShare)
    }

    /// A cell whose digit stands at its edge (a seven-segment "1") takes its contrast from the
    /// whole cell: the empty middle with its unlit segments stays background.
    @Test func stretchesAnEdgeDigitOnTheWholeCell() {
        let width = 30
        let height = 48
        var pixels = [UInt8](repeating: 180, count: width * height)
        for y in 6..<42 {
            for x in 8..<20 where x < 10 || x >= 18 || y == 6 || y == 24 || y == 41 { pixels[y * width + x] = 168 }
            for x in 25..<29 { pixels[y * width + x] = 40 }
        }
        let cell = Image(width: width, height: height, format: .gray, pixels: pixels)
        var options = CellPreparationOptions.standard
        options.normalizePolarity = false
        let prepared = prepareCellForOCR(cell, options: options)
        let scale = Double(prepared.height) / Double(height)
        let ghost = prepared[Int(9 * scale), Int(15 * scale)].first!
        let bar = prepared[Int(27 * scale), Int(15 * scale)].first!
        #expect(ghost > 200)
        #expect(bar < 60)
    }
}
