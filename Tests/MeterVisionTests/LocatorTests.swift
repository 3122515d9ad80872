import Foundation
import Testing
import MeterImage
@testable import MeterVision

/// Renders block "digits" (filled rectangles with a hole, like a bold 0) in rows.
struct SyntheticMeter {
    var width = 400
    var height = 240
    var background: UInt8 = 200
    var ink: UInt8 = 30
    var pixels: [UInt8]

    init(width: Int = 400, height: Int = 240, background: UInt8 = 200) {
        self.width = width
        self.height = height
        self.background = background
        pixels = [UInt8](repeating: background, count: width * height)
    }

    /// A ring-shaped glyph `w`×`h` with top-left corner (x, y).
    mutating func glyph(x: Int, y: Int, w: Int, h: Int, value: UInt8? = nil) {
        let stroke = max(2, w / 4)
        for row in y..<(y + h) {
            for column in x..<(x + w) {
                let inside = row >= y + stroke && row < y + h - stroke && column >= x + stroke && column < x + w - stroke
                // Cut corners, as printed digits have: a box all around is a window, not a digit.
                let dx = min(column - x, x + w - 1 - column)
                let dy = min(row - y, y + h - 1 - row)
                let corner = dx + dy < stroke
                if !inside && !corner { pixels[row * width + column] = value ?? ink }
            }
        }
    }

    mutating func fill(x: Int, y: Int, w: Int, h: Int, value: UInt8) {
        for row in y..<(y + h) { for column in x..<(x + w) { pixels[row * width + column] = value } }
    }

    /// A row of `count` glyphs starting at (x, y), each w×h, `pitch` apart.
    mutating func row(count: Int, x: Int, y: Int, w: Int, h: Int, pitch: Int) {
        for index in 0..<count { glyph(x: x + index * pitch, y: y, w: w, h: h) }
    }

    var image: Image { Image(width: width, height: height, format: .gray, pixels: pixels) }

    /// The picture in colour: gray so far, to paint red drums onto with `paint`.
    var rgb: [UInt8] { pixels.flatMap { [$0, $0, $0] } }

    /// Paints `color` into `rgb` (this meter's `rgb`, painted on) over `columns` × `rows`,
    /// where the gray picture is background (or everywhere, unless `onBackground`).
    func paint(
        _ rgb: inout [UInt8], columns: Range<Int>, rows: Range<Int>, color: (UInt8, UInt8, UInt8),
        onBackground: Bool = true
    ) {
        for row in rows {
            for column in columns where !onBackground || pixels[row * width + column] == background {
                let index = 3 * (row * width + column)
                (rgb[index], rgb[index + 1], rgb[index + 2]) = color
            }
        }
    }

    /// Softens everything drawn so far with a (2r+1)² box filter (clipped at the edges), as a
    /// blurred photo.
    mutating func blur(radius: Int) {
        let integral = IntegralImage(image)
        for y in 0..<height {
            for x in 0..<width {
                let box = integral.boxStatistics(x0: x - radius, y0: y - radius, x1: x + radius + 1, y1: y + radius + 1)
                pixels[y * width + x] = UInt8(Int(box.sum) / box.count)
            }
        }
    }

    /// Leans everything drawn so far to the right, as italic type: each row moves
    /// `lean` × its height above `row` (left below it).
    mutating func shear(lean: Double, about row: Int) {
        var sheared = [UInt8](repeating: background, count: width * height)
        for y in 0..<height {
            let shift = Int((lean * Double(row - y)).rounded())
            for x in 0..<width where x - shift >= 0 && x - shift < width {
                sheared[y * width + x] = pixels[y * width + x - shift]
            }
        }
        pixels = sheared
    }

    /// Five dark digits on a light ground, then three light ones on a dark band: black integer
    /// drums followed by fraction drums of the other polarity (red ones, in a gray picture).
    static var darkThenLightRow: SyntheticMeter {
        var meter = SyntheticMeter()
        meter.row(count: 5, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + 5 * 26 - 4, y: 54, w: 3 * 26, h: 42, value: 60)
        for index in 5..<8 { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30, value: 235) }
        return meter
    }
}

@Suite("Counter localisation and cutting")
struct LocatorTests {
    @Test func findsTheLargestRegularRowAndIgnoresSmallText() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)  // the counter
        meter.row(count: 8, x: 60, y: 150, w: 8, h: 12, pitch: 11)  // a serial number
        let candidates = CounterLocator().locate(meter.image)
        let best = try #require(candidates.first)
        #expect(best.cellCenters.count == 6)
        #expect(abs(best.digitHeight - 30) <= 2)
        #expect(abs(best.pitch - 26) < 1.5)
        #expect(abs(best.cellCenters[0].x - 69) < 2 && abs(best.cellCenters[0].y - 74.5) < 2)
        #expect(abs(best.angle) < 0.02)
    }

    /// Faint digits in light drum windows on a dark band: too faint for the usual threshold, which
    /// sees each window as solid. Only the locator that searches solid windows on their own
    /// finds the row; a band of plain windows, with no digits in them, stays no row.
    @Test func findsFaintDigitsInSolidWindowsOnlyWhenAskedTo() throws {
        func meter(digits: Bool) -> Image {
            // Large enough that the threshold's window is wider than a drum window: the inside
            // of a plain window then comes out solid, as it does in photos.
            var meter = SyntheticMeter(width: 800, height: 600)
            meter.fill(x: 40, y: 44, w: 6 * 28 + 12, h: 54, value: 25)  // the band
            for index in 0..<6 {
                let x = 50 + index * 28
                meter.fill(x: x, y: 52, w: 22, h: 38, value: 230)  // a window
                if digits { meter.glyph(x: x + 3, y: 56, w: 16, h: 30, value: 150) }
            }
            meter.blur(radius: 2)
            return meter.image
        }
        // Without the faint dark pass, whose sensitivity would find digits this clean.
        var settings = CounterLocator.Settings()
        settings.faintThresholdK = nil
        let usual = CounterLocator(settings: settings)
        settings.searchesSolidWindows = true
        let searching = CounterLocator(settings: settings)
        #expect(usual.locate(meter(digits: true)).isEmpty)
        let best = try #require(searching.locate(meter(digits: true)).first)
        #expect(best.cellCenters.count == 6)
        #expect(abs(best.pitch - 28) < 1.5)
        #expect(best.darkInk.allSatisfy { $0 })
        #expect(searching.locate(meter(digits: false)).isEmpty)
    }

    /// Rows over the same counter cover much of each other; rows side by side or apart do not.
    @Test func rowsOverOneCounterCoverEachOther() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        let digits = try #require(CounterLocator().locate(meter.image).first)
        func moved(_ dx: Double, _ dy: Double, height: Double, count: Int) -> CounterCandidate {
            var row = digits
            let start = digits.cellCenters[0]
            row.cellCenters = (0..<count).map { Point(x: start.x + dx + Double($0) * digits.pitch, y: start.y + dy) }
            row.digitHeight = height
            return row
        }
        let windows = moved(0, 0, height: 42, count: 6)
        let serial = moved(0, 100, height: 12, count: 8)
        let beside = moved(6 * digits.pitch, 0, height: 30, count: 3)
        #expect(windows.coversMuchOf(digits) && digits.coversMuchOf(windows))
        #expect(!serial.coversMuchOf(digits) && !beside.coversMuchOf(digits))
    }

    @Test func fillsAGapLeftByAMissingDigit() throws {
        var meter = SyntheticMeter()
        for index in [0, 1, 2, 4, 5] { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6)
        #expect(best.inferred == [false, false, false, true, false, false])
    }

    /// A blurred "0" the threshold broke into its two sides is one digit, not two at one
    /// position: the row keeps its six positions and its pitch.
    @Test func takesTheTwoSidesOfABrokenDigitAsOne() throws {
        var meter = SyntheticMeter()
        for index in [0, 1, 3, 4, 5] { meter.glyph(x: 60 + index * 26, y: 60, w: 18, h: 30) }
        meter.fill(x: 60 + 2 * 26, y: 60, w: 5, h: 30, value: meter.ink)
        meter.fill(x: 60 + 2 * 26 + 13, y: 60, w: 5, h: 30, value: meter.ink)
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6)
        #expect(abs(best.pitch - 26) < 1.5)
        #expect(abs(best.cellCenters[2].x - (60 + 2 * 26 + 9)) < 2)
    }

    @Test func joinsDarkDigitsWithLightDigitsOnADarkGround() throws {
        let meter = SyntheticMeter.darkThenLightRow
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 8)
        #expect(best.darkInk == [true, true, true, true, true, false, false, false])
    }

    @Test func findsADecimalPoint() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        meter.fill(x: 60 + 3 * 26 + 19, y: 86, w: 4, h: 4, value: 30)  // after the 4th digit
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.decimalAfter == 3)
    }

    /// A seven-segment "7" (or "4") comes apart at the locating scale: its lower right
    /// segment is a small solid blob low in the row, right of the digit's centre. It lies
    /// within the digit and higher than a point sitting on the baseline, so it is none.
    @Test func takesNoLoneSegmentForADecimalPoint() throws {
        var meter = SyntheticMeter()
        for index in [0, 1, 2, 4, 5] { meter.glyph(x: 60 + index * 26, y: 60, w: 22, h: 30) }
        let x = 60 + 3 * 26
        meter.fill(x: x, y: 60, w: 22, h: 4, value: 30)  // the "7": top bar,
        meter.fill(x: x + 16, y: 60, w: 6, h: 13, value: 30)  // upper right segment,
        meter.fill(x: x + 16, y: 77, w: 6, h: 13, value: 30)  // lower right segment apart
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6)
        #expect(best.decimalAfter == nil)
    }

    /// Digits embossed in a plate are barely darker than it, with a dark edge on one side:
    /// the usual dark pass takes only the edges, the faint pass the whole digits.
    @Test func findsFaintEmbossedDigits() throws {
        var meter = SyntheticMeter(background: 180)
        for index in 0..<6 {
            let x = 60 + index * 26
            meter.glyph(x: x, y: 60, w: 18, h: 30, value: 150)
            meter.fill(x: x + 16, y: 62, w: 2, h: 28, value: 70)  // the shadowed edge
        }
        var usual = CounterLocator.Settings()
        usual.faintThresholdK = nil
        #expect(CounterLocator(settings: usual).locate(meter.image).allSatisfy { $0.cellCenters.count != 6 })
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6 && best.inferred.allSatisfy { !$0 })
        #expect(abs(best.digitHeight - 30) <= 2)
    }

    /// A relief digit the threshold cut into an upper and a lower piece, apart but with
    /// overlapping boxes (each digit-shaped on its own), is one digit: one row of whole digits,
    /// not a row of upper halves above a row of lower halves.
    @Test func joinsTheStackedPiecesOfAReliefDigit() throws {
        var meter = SyntheticMeter()
        for index in 0..<6 {
            let x = 60 + index * 26
            meter.fill(x: x, y: 60, w: 4, h: 21, value: meter.ink)  // upper piece: left side,
            meter.fill(x: x, y: 60, w: 14, h: 4, value: meter.ink)  // and top
            meter.fill(x: x + 12, y: 70, w: 4, h: 21, value: meter.ink)  // lower piece: right side,
            meter.fill(x: x + 2, y: 87, w: 14, h: 4, value: meter.ink)  // and bottom
        }
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6)
        #expect(abs(best.digitHeight - 31) <= 2)
        #expect(best.cellCenters.allSatisfy { abs($0.y - 75) <= 2 })
    }

    /// Drum windows cut tight: each digit touches the top of its window, so in dark ink it is
    /// one blob with the band around the windows. In light ink each window's inside is a blob
    /// of its own with the digit as its hole, and that hole is the digit.
    @Test func findsDigitsThatTouchTheirWindowFrame() throws {
        var meter = SyntheticMeter()
        meter.fill(x: 50, y: 48, w: 6 * 30 + 10, h: 58, value: 40)  // the dark band
        for index in 0..<6 {
            let x = 56 + index * 30
            meter.fill(x: x, y: 56, w: 26, h: 40, value: 230)  // a window
            meter.glyph(x: x + 5, y: 56, w: 16, h: 30)  // its digit, against the window's top
        }
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(best.cellCenters.count == 6 && best.darkInk.allSatisfy { $0 })
        #expect(abs(best.digitHeight - 30) <= 2)
        #expect(abs(best.cellCenters[0].x - 69) < 2 && abs(best.cellCenters[0].y - 71) < 2)
    }

    /// Faint gray digits in small white windows cut from a wide black band: a threshold window
    /// that takes in much of the band sets the level under the digits' gray, one half as wide
    /// does not (the reader's second look).
    @Test func narrowerThresholdWindowFindsFaintDigitsInABand() throws {
        var meter = SyntheticMeter(width: 800, height: 480, background: 200)
        meter.fill(x: 100, y: 150, w: 600, h: 150, value: 20)  // the band
        for index in 0..<6 {
            let x = 250 + index * 34
            meter.fill(x: x, y: 205, w: 26, h: 40, value: 235)  // a window
            meter.glyph(x: x + 6, y: 213, w: 14, h: 24, value: 170)  // its faint digit
        }
        func sixRow(_ settings: CounterLocator.Settings) -> CounterCandidate? {
            CounterLocator(settings: settings).locate(meter.image).first { $0.cellCenters.count == 6 }
        }
        var closer = CounterLocator.Settings()
        closer.thresholdRadiusShare /= 2
        #expect(sixRow(CounterLocator.Settings()) == nil)
        let row = try #require(sixRow(closer))
        #expect(abs(row.digitHeight - 24) <= 2)
    }

    @Test func measuresTheTilt() throws {
        var meter = SyntheticMeter()
        for index in 0..<6 { meter.glyph(x: 60 + index * 26, y: 60 + index * 5, w: 18, h: 30) }
        let best = try #require(CounterLocator().locate(meter.image).first)
        #expect(abs(best.angle - atan2(5.0, 26.0)) < 0.03)
    }

    @Test func blankPictureHasNoCounter() {
        #expect(CounterLocator().locate(SyntheticMeter().image).isEmpty)
    }

    @Test func extractorCutsOneCellPerDigitAndFindsRedFractions() throws {
        var meter = SyntheticMeter()
        meter.row(count: 6, x: 60, y: 60, w: 18, h: 30, pitch: 26)
        let gray = meter.image
        let candidate = try #require(CounterLocator().locate(gray).first)
        // The same picture in RGB, with the last two drums red.
        var rgb = [UInt8](repeating: 0, count: gray.width * gray.height * 3)
        for y in 0..<gray.height {
            for x in 0..<gray.width {
                let value = gray.pixels[y * gray.width + x]
                let red = y >= 50 && y < 100 && x >= 60 + 4 * 26 - 3 && x < 60 + 6 * 26
                rgb[(y * gray.width + x) * 3] = red ? max(value, 180) : value
                rgb[(y * gray.width + x) * 3 + 1] = red ? value / 4 : value
                rgb[(y * gray.width + x) * 3 + 2] = red ? value / 4 : value
            }
        }
        let photo = Image(width: gray.width, height: gray.height, format: .rgb, pixels: rgb)
        let crop = CounterExtractor().extract(candidate, from: photo)
        #expect(crop.cells.count == 6)
        #expect(crop.cells.map(\.isFraction) == [false, false, false, false, true, true])
        #expect(crop.strip.height >= 45)
        // Every cell holds its glyph: dark ink in the middle column.
        for cell in crop.cells {
            let column = cell.image.width / 2
            let top = cell.image[column, cell.image.height / 2 - 12].first!
            #expect(top < 100)
        }
    }
}

@Suite("Row continuation")
struct RowContinuationTests {
    /// A binary picture (ink 255) 30 px wide and 40 high with `ink` rows × columns inked.
    static func box(_ ink: [(rows: Range<Int>, columns: Range<Int>)]) -> Image {
        var pixels = [UInt8](repeating: 0, count: 30 * 40)
        for (rows, columns) in ink { for y in rows { for x in columns { pixels[y * 30 + x] = 255 } } }
        return Image(width: 30, height: 40, format: .gray, pixels: pixels)
    }

    /// After a row (`midRoll`), a drum caught between two digits (the foot of one at the top
    /// of the box, the head of the next at the bottom, ground between) counts as one more
    /// position, and not without `midRoll`; ink that reaches as high and low without a gap
    /// (a unit's "k") does not.
    @Test func aDrumCaughtMidRollContinuesTheRowButLetteringDoesNot() {
        let locator = CounterLocator()
        // Digit box: centre (15, 20), 20 wide, 30 high: rows 5...35.
        let rolled = Self.box([(5..<10, 6..<24), (26..<36, 6..<24), (5..<12, 6..<9), (5..<12, 21..<24)])
        #expect(locator.inkLooksLikeDigit(in: rolled, x: 15, y: 20, width: 20, height: 30, midRoll: true))
        #expect(!locator.inkLooksLikeDigit(in: rolled, x: 15, y: 20, width: 20, height: 30))
        let lettered = Self.box([(9..<31, 12..<16), (19..<22, 16..<23)])
        #expect(!locator.inkLooksLikeDigit(in: lettered, x: 15, y: 20, width: 20, height: 30, midRoll: true))
    }
}
