import Testing
import MeterImage
import MeterVision

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

    @Test func emptyCellIsNotRolling() {
        #expect(!RollingDetector.isMidRoll(cell(inkRows: []), darkInk: true))
    }
}
