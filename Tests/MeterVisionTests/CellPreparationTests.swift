import MeterImage
import MeterVision
import Testing

/// A 24×40 cell with a "0" (a ring) in the middle, `ink` on `paper`, and optionally a sliver
/// of the next drum digit along the top edge.
private func ringCell(ink: UInt8, paper: UInt8, sliver: Bool = false) -> Image {
    let width = 24
    let height = 40
    var pixels = [UInt8](repeating: paper, count: width * height)
    for y in 8..<32 {
        for x in 5..<19 {
            let onRing = y < 11 || y >= 29 || x < 8 || x >= 16
            if onRing { pixels[y * width + x] = ink }
        }
    }
    if sliver {
        for y in 0..<3 { for x in 6..<18 { pixels[y * width + x] = ink } }
    }
    return Image(width: width, height: height, format: .gray, pixels: pixels)
}

private func mean(_ image: Image, x: Range<Int>, y: Range<Int>) -> Double {
    var sum = 0
    for row in y { for column in x { sum += Int(image.pixels[row * image.width + column]) } }
    return Double(sum) / Double(x.count * y.count)
}

@Suite("Cell preparation")
struct CellPreparationTests {
    @Test("the standard output is gray, 48 px high, aspect kept")
    func size() {
        let prepared = prepareCellForOCR(ringCell(ink: 20, paper: 220))
        #expect(prepared.format == .gray)
        #expect(prepared.height == 48)
        #expect(prepared.width == 29)  // 24 × 48/40, rounded
    }

    @Test("light-on-dark and dark-on-light cells both come out dark on light")
    func polarity() {
        for (ink, paper) in [(UInt8(230), UInt8(30)), (UInt8(30), UInt8(230))] {
            let prepared = prepareCellForOCR(ringCell(ink: ink, paper: paper))
            // Centre of the ring (paper) and its left stroke (ink), scaled by 1.2.
            let paperLevel = mean(prepared, x: 12..<17, y: 18..<30)
            let inkLevel = mean(prepared, x: 7..<9, y: 18..<30)
            #expect(paperLevel > 200, "paper \(paperLevel) for ink \(ink)")
            #expect(inkLevel < 60, "ink \(inkLevel) for ink \(ink)")
        }
    }

    @Test("contrast is stretched to nearly black and white")
    func stretch() {
        let prepared = prepareCellForOCR(ringCell(ink: 110, paper: 140))
        #expect(prepared.pixels.min()! < 20)
        #expect(prepared.pixels.max()! > 235)
    }

    @Test("an RGB crop prepares like its gray twin")
    func rgb() {
        let gray = ringCell(ink: 40, paper: 200)
        let rgb = Image(width: gray.width, height: gray.height, format: .rgb, pixels: gray.pixels.flatMap { [$0, $0, $0] })
        #expect(prepareCellForOCR(rgb) == prepareCellForOCR(gray))
    }

    @Test("a white border of the asked size surrounds the cell")
    func border() {
        var options = CellPreparationOptions.standard
        options.border = 10
        options.sideBorder = 12
        let prepared = prepareCellForOCR(ringCell(ink: 20, paper: 220, sliver: true), options: options)
        #expect(prepared.height == 48 + 20)
        #expect(prepared.width == 29 + 24)
        #expect(mean(prepared, x: 0..<prepared.width, y: 0..<10) == 255)
        #expect(mean(prepared, x: 0..<12, y: 0..<prepared.height) == 255)
    }

    @Test("binarising leaves only black and white")
    func binarize() {
        var options = CellPreparationOptions.standard
        options.binarize = true
        let prepared = prepareCellForOCR(ringCell(ink: 60, paper: 180), options: options)
        #expect(Set(prepared.pixels).isSubset(of: [0, 255]))
        #expect(Set(prepared.pixels).count == 2)
    }

    @Test("edge clutter is erased and the crop cut to the digit's ink")
    func clutterAndCrop() {
        var options = CellPreparationOptions.standard
        options.removeEdgeClutter = true
        options.cropToInk = true
        options.targetHeight = 26  // the ring's 24 rows plus a pixel either side
        let prepared = prepareCellForOCR(ringCell(ink: 20, paper: 220, sliver: true), options: options)
        #expect(prepared.height == 26)
        #expect(prepared.width == 16)  // 14 columns of ring plus a pixel either side
        // Without erasing, the sliver stays in the picture but the crop still leaves it out.
        options.removeEdgeClutter = false
        options.targetHeight = 52
        let withSliver = prepareCellForOCR(ringCell(ink: 20, paper: 220, sliver: true), options: options)
        #expect(withSliver.height == 52 && withSliver.width == 32)
    }

    @Test("the naive preparation only converts and scales")
    func naive() {
        let cell = ringCell(ink: 230, paper: 30)
        let prepared = prepareCellForOCR(cell, options: .naive)
        #expect(prepared.height == 48)
        #expect(mean(prepared, x: 12..<17, y: 18..<30) < 60)  // polarity kept: dark paper
    }

    @Test("degenerate cells do not trap", arguments: [(0, 0), (1, 1), (1, 30), (30, 1), (2, 2)])
    func degenerate(_ width: Int, _ height: Int) {
        let cell = Image(width: width, height: height, format: .gray, filledWith: 90)
        var options = CellPreparationOptions.standard
        options.removeEdgeClutter = true
        options.cropToInk = true
        options.binarize = true
        options.border = 10
        let prepared = prepareCellForOCR(cell, options: options)
        #expect(prepared.width > 0 && prepared.height > 0)
        #expect(prepared.pixels.count == prepared.width * prepared.height)
    }
}
