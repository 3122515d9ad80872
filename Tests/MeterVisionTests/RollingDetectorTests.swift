import Testing
import MeterImage
@testable import MeterVision

@Suite("Mid-roll detection")
struct RollingDetectorTests {
    /// A cell 1.3 digit heights tall (digit height 30) with ink rows given as ranges.
    func cell(inkRows: [Range<Int>], darkInk: Bool = true) -> Image {
        let width = 20
        let height = 39
        let ink: UInt8 = darkInk ? 20 : 235
        let paper: UInt8 = darkInk ? 230 : 25
        var pixels = [UInt8](repeating: paper, count: width * height)
        for range in inkRows {
            for y in range { for x in 6..<14 { pixels[y * width + x] = ink } }
        }
        return Image(width: width, height: height, format: .gray, pixels: pixels)
    }

    @Test func digitAtRestIsNotRolling() {
        #expect(!RollingDetector.isMidRoll(cell(inkRows: [5..<34]), darkInk: true))
        #expect(!RollingDetector.isMidRoll(cell(inkRows: [5..<34], darkInk: false), darkInk: false))
        // Seven-segment digits have hairline gaps.
        #expect(!RollingDetector.isMidRoll(cell(inkRows: [5..<19, 20..<34]), darkInk: true))
    }

    @Test func hollowDigitsWithWindowSidesAreNotRolling() {
        // A "0": arcs at top and bottom joined by its sides, inside dark window side frames.
        let width = 24
        let height = 39
        var pixels = [UInt8](repeating: 230, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let frame = x < 2 || x >= width - 2
                let ring = (5..<34).contains(y) && (5..<19).contains(x)
                    && !((9..<30).contains(y) && (9..<15).contains(x))
                if frame || ring { pixels[y * width + x] = 20 }
            }
        }
        let cell = Image(width: width, height: height, format: .gray, pixels: pixels)
        #expect(!RollingDetector.isMidRoll(cell, darkInk: true))
    }

    @Test func twoHalvesWithDrumBetweenAreRolling() {
        #expect(RollingDetector.isMidRoll(cell(inkRows: [0..<12, 20..<39]), darkInk: true))
        #expect(RollingDetector.isMidRoll(cell(inkRows: [0..<12, 20..<39], darkInk: false), darkInk: false))
    }

    @Test func halfDigitAgainstTheWindowEdgeIsRolling() {
        #expect(RollingDetector.isMidRoll(cell(inkRows: [0..<15]), darkInk: true))
    }

    /// One piece inside a drum window's frame is a whole digit even when it is much shorter
    /// than the row's digit height (the locator measured the windows); without a frame, a short
    /// piece is no whole digit.
    @Test(arguments: [true, false])
    func aShortPieceInsideAWindowIsAWholeDigit(framed: Bool) {
        var rows = [15..<33]
        if framed { rows += [0..<3, 36..<39] }
        let image = cell(inkRows: [])
        var pixels = image.pixels
        for range in rows {
            for y in range {
                for x in 0..<image.width where framed && (y < 3 || y >= 36) || (6..<14).contains(x) {
                    pixels[y * image.width + x] = 20
                }
            }
        }
        let analysis = RollingDetector.analyze(
            Image(width: image.width, height: image.height, format: .gray, pixels: pixels), darkInk: true)
        #expect(!analysis.isRolling)
        #expect(analysis.wholePiece == (framed ? 15..<33 : nil))
    }

    /// The sunken drum is measured in the digits' own height where the row's is the windows':
    /// digits 20 rows tall in cells cut for 30, the last 7 rows low (a third of a digit, under a
    /// quarter of the row's height). A piece much taller than the digits is no point of the
    /// line.
    @Test func measuresASunkenDrumInTheDigitsOwnHeight() {
        func analysis(_ rows: Range<Int>) -> RollingDetector.Analysis {
            RollingDetector.Analysis(isRolling: false, dominantRows: rows, dominantIsUpper: true, wholePiece: rows)
        }
        let resting = Array(repeating: analysis(10..<30), count: 5)
        let sunk = RollingDetector.markingSunkenDrums(resting + [analysis(17..<37)], digitHeight: 30, cellHeight: 39)
        #expect(sunk.map(\.isRolling) == [false, false, false, false, false, true])
        #expect(sunk[5].dominantIsUpper == false)
        // A tall first piece (28 rows, ink joined to a frame) would tilt the line towards it.
        let tilted = [analysis(11..<39)] + resting.dropFirst() + [analysis(12..<32)]
        #expect(!RollingDetector.markingSunkenDrums(tilted, digitHeight: 30, cellHeight: 39).contains { $0.isRolling })
    }

    @Test func emptyCellIsNotRolling() {
        #expect(!RollingDetector.isMidRoll(cell(inkRows: []), darkInk: true))
    }
}
