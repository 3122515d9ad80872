public import MeterImage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One digit position cut out of a straightened counter.
public struct DigitCell: Sendable {
    /// The cell's gray pixels, upright, as in the photo (not yet polarity-normalised).
    public var image: Image
    /// Where the cell sits in the straightened strip: left, top, width, height.
    public var frame: (x: Int, y: Int, width: Int, height: Int)
    /// Share of clearly red pixels around the cell (0…1).
    public var redness: Double
    /// Share of clearly red pixels in the middle half of the cell's pitch: a red digit's own
    /// ink, where a neighbouring red drum's frame does not reach.
    public var centralRedness = 0.0
    /// A fraction digit (red drum, red frame).
    public var isFraction: Bool
    /// Where the drum stands (see `RollingDetector`).
    public var roll: RollingDetector.Analysis
    /// The drum is caught between two digits.
    public var isRolling: Bool { roll.isRolling }
    /// The locator found no digit shape of its own here (filled in from the row's pitch).
    public var isInferred: Bool
    /// The locator's evidence for the ink polarity at this position.
    public var darkInk: Bool
}

/// A straightened counter and its cells.
public struct CounterCrop: Sendable {
    /// The counter row resampled horizontal (deskewed), gray.
    public var strip: Image
    /// Cells left to right.
    public var cells: [DigitCell]
    /// The candidate this crop was cut from, in full-resolution coordinates.
    public var candidate: CounterCandidate
    /// Strip pixels per photo pixel: 1, or less for rows of tall digits (see
    /// `CounterExtractor.maxStripDigitHeight`).
    public var stripScale: Double = 1
    /// Where the strip's centre lies in the photo (cell frames are measured from it).
    public var stripCenter = Point(x: 0, y: 0)
    /// The end of the row past which lies ink that may be a digit the row lacks (the locator's
    /// `inkBeforeFirst` / `inkAfterLast`), or nil.
    public var digitMayBeMissing: RowEnd?
    /// Positions after which a mark may be a decimal point, too faint or too ambiguous to be
    /// sure of (a single one is split on, as the best guess).
    public var possibleDecimalAfter: [Int] = []
    /// The position after which the locator saw a decimal mark that neither the
    /// full-resolution strip nor red fraction drums bear out (the reading is split there).
    public var unconfirmedDecimalAfter: Int? = nil
}

extension CounterCrop {
    /// The crop with only the cells in `kept` (cell indices, ascending): positions that turned
    /// out to hold no digit (at the row's ends, or a decimal comma's room). Index-based marks
    /// are shifted, and dropped when the cells on both sides are not both kept or the mark
    /// lies outside the kept cells; the candidate's positions are cut to match.
    public func keepingCells(_ kept: [Int]) -> CounterCrop {
        var copy = self
        copy.cells = kept.map { cells[$0] }
        func shifted(_ index: Int?) -> Int? {
            // A mark after index i sits between the last kept cell up to i and the next kept one.
            guard let index, let first = kept.first, let last = kept.last, index >= first, index < last else { return nil }
            return kept.count { $0 <= index } - 1
        }
        copy.possibleDecimalAfter = possibleDecimalAfter.compactMap(shifted)
        copy.unconfirmedDecimalAfter = shifted(unconfirmedDecimalAfter)
        copy.candidate.cellCenters = kept.map { candidate.cellCenters[$0] }
        copy.candidate.inferred = kept.map { candidate.inferred[$0] }
        copy.candidate.darkInk = kept.map { candidate.darkInk[$0] }
        copy.candidate.decimalAfter = shifted(candidate.decimalAfter)
        copy.candidate.faintlyInferredLeading = kept.count { $0 < candidate.faintlyInferredLeading }
        return copy
    }
}

/// One end of a counter row.
public enum RowEnd: Sendable {
    /// Before the first cell.
    case start
    /// After the last cell.
    case end
}

/// Cuts a located counter out of the full-resolution planes: deskews it and splits it into cells.
public struct CounterExtractor: Sendable {
    /// Cell height as a multiple of the digit height (room for rolling digits' halves).
    public var cellHeightFactor = 1.3
    /// Share of clearly red pixels above which a cell counts as a red fraction drum.
    public var fractionRedShare = 0.06
    /// A red fraction drum is at least this share as red as the reddest cell of the row.
    public var redShareOfReddest = 0.3
    /// Share of clearly red pixels above which an even run of two to four cells ending the
    /// row, after cells with next to no red, counts as red fraction drums: dark red drums in a
    /// black frame show little clear red.
    public var faintFractionRedShare = 0.025
    /// Height, in digit heights, of the band whose redness marks a fraction drum: the red frame
    /// of a fraction drum's window often runs just above and below the strip the digits are
    /// read from (tuning sets: 1.8, the strip, missed 3 red drums that 2.0 finds; 2.4 begins
    /// to take in red beside the row).
    public var redBandHeightFactor = 2.0
    /// Tallest digit height, in pixels, the strip is sampled at. Cells are scaled to 48 px for
    /// recognition, so detail beyond about twice that is never used, while sampling, cell
    /// preparation and the decimal-point search cost grows with the area: a row of wall tiles
    /// or a close-up's 170 px digits cost 30–40 ms at full resolution.
    public var maxStripDigitHeight = 72.0
    /// Smallest digit height, in pixels, the decimal point is searched at: smaller strips are
    /// sampled again, finer, for the search alone.
    public var minimumPointSearchDigitHeight = 32.0

    /// An extractor with default proportions.
    public init() {}

    /// The straightened strip and its cells for `candidate` (already in `photo` coordinates);
    /// `photo` is gray or RGB (RGB lets red fraction drums be recognised).
    public func extract(_ candidate: CounterCandidate, from photo: Image) -> CounterCrop {
        // Strip-space geometry: the candidate scaled down when its digits are taller than
        // needed; the sampling grid steps 1 / stripScale photo pixels per strip pixel.
        let stripScale = min(1, maxStripDigitHeight / candidate.digitHeight)
        let located = candidate
        let candidate = located.scaled(by: stripScale)
        let centers = candidate.cellCenters
        let first = centers[0]
        let last = centers[centers.count - 1]
        let mid = Point(x: (first.x + last.x) / 2, y: (first.y + last.y) / 2)
        let cosine = cos(candidate.angle)
        let sine = sin(candidate.angle)
        let span = ((last.x - first.x) * cosine + (last.y - first.y) * sine)
        let stripWidth = max(8, Int(span + candidate.pitch * 1.4))
        let stripHeight = max(8, Int(candidate.digitHeight * 1.8))
        let half = (Double(stripWidth) / 2, Double(stripHeight) / 2)
        let stripCenter = Point(x: mid.x / stripScale, y: mid.y / stripScale)
        // One sampling serves both: the strip is the middle of the taller red band (the grid's
        // rows line up, as the band is taller by whole rows on each side).
        let redMargin = photo.format == .gray
            ? 0 : max(0, Int(((candidate.digitHeight * redBandHeightFactor - Double(stripHeight)) / 2).rounded(.up)))
        let bandHeight = stripHeight + 2 * redMargin
        let grid = SamplingGrid.rotated(
            center: stripCenter, angle: candidate.angle, step: 1 / stripScale, width: stripWidth, height: bandHeight)
        let planes = ColorPlanes.sampled(
            from: photo, width: stripWidth, height: bandHeight, grid: grid, whiteBalance: nil)
        let strip = redMargin == 0
            ? planes.gray : planes.gray.cropped(x: 0, y: redMargin, width: stripWidth, height: stripHeight)
        let redStrip = planes.redness
        let cellWidth = max(4, Int(min(candidate.pitch * 0.96, candidate.digitWidth * 1.35)))
        let cellHeight = max(4, Int(candidate.digitHeight * cellHeightFactor))
        var cells: [DigitCell] = []
        let top = Int(half.1 - Double(cellHeight) / 2)
        let counted = centers.map { ($0.x - mid.x) * cosine + ($0.y - mid.y) * sine + half.0 }
        // A position counted on from the row's shapes lands where the pitch says, and an error
        // in the pitch grows with every step: its cell is cut where its digit's ink is.
        var positions = counted.indices.map { index in
            guard candidate.inferred[index] else { return counted[index] }
            return Self.digitInkCenter(
                in: strip, near: counted[index], top: top, height: cellHeight, pitch: candidate.pitch,
                digitHeight: candidate.digitHeight, darkInk: candidate.darkInk[index]) ?? counted[index]
        }
        for index in positions.indices where positions[index] != counted[index] {
            // Not a neighbour's digit: a position filled into a wider gap (the room of a decimal
            // point, the frame before the fraction drums) holds none of its own.
            let neighbours = [index - 1, index + 1].filter(positions.indices.contains)
            if neighbours.contains(where: { abs(positions[$0] - positions[index]) < 0.6 * candidate.pitch }) {
                positions[index] = counted[index]
            }
        }
        for (index, u) in positions.enumerated() {
            let x = Int(u - Double(cellWidth) / 2)
            let image = strip.cropped(x: x, y: top, width: cellWidth, height: cellHeight)
            // Redness over the whole pitch and the red band's height: red frames count too.
            let pitchWidth = Int(candidate.pitch)
            let redRegion = redStrip.cropped(
                x: Int(u) - pitchWidth / 2, y: 0, width: pitchWidth, height: bandHeight)
            var cell = DigitCell(
                image: image, frame: (x, top, cellWidth, cellHeight), redness: redRegion.share(above: 60),
                isFraction: false,
                roll: RollingDetector.analyze(image, darkInk: candidate.darkInk[index]),
                isInferred: candidate.inferred[index], darkInk: candidate.darkInk[index])
            cell.centralRedness = redStrip.cropped(
                x: Int(u) - pitchWidth / 4, y: redMargin, width: max(1, pitchWidth / 2), height: stripHeight
            ).share(above: 60)
            cells.append(cell)
        }
        let rolls = RollingDetector.markingSunkenDrums(
            cells.map(\.roll), digitHeight: Double(cellHeight) / cellHeightFactor, cellHeight: cellHeight)
        for index in cells.indices { cells[index].roll = rolls[index] }
        keepRollingSuffix(&cells)
        let counterEnd = markFractionSuffix(&cells)
        let redFractionFrom = cells.firstIndex(where: \.isFraction)
        // A small LCD's point is one or two pixels: searched in a strip sampled finer, its
        // blurred edge still makes a run of columns wide enough to tell from a speck.
        let pointScale = max(1, minimumPointSearchDigitHeight / candidate.digitHeight)
        var pointStrip = strip
        if pointScale > 1 {
            let (width, height) = (Int(Double(stripWidth) * pointScale), Int(Double(stripHeight) * pointScale))
            pointStrip = photo.sampledGray(
                width: width, height: height,
                grid: SamplingGrid.rotated(
                    center: stripCenter, angle: candidate.angle, step: 1 / (stripScale * pointScale), width: width,
                    height: height))
        }
        let fullResolution = decimalPoint(
            in: pointStrip, positions: positions.map { $0 * pointScale },
            baseline: (half.1 + candidate.digitHeight / 2) * pointScale,
            digitHeight: candidate.digitHeight * pointScale, digitWidth: candidate.digitWidth * pointScale,
            pitch: candidate.pitch * pointScale, darkInk: candidate.darkInk, pixelScale: pointScale)
        var separator = candidate.decimalAfter
        var possibleSeparators: [Int] = []
        var unconfirmedSeparator: Int? = nil
        if let mark = separator {
            // The locator's mark is any small blob in a gap, low in the row: glare, a speck, the
            // edge of a drum frame pass too. A real point also shows in the full-resolution
            // strip, or begins the red fraction drums.
            let seen = fullResolution.point == mark || fullResolution.possible.contains(mark)
            if !seen, redFractionFrom != mark + 1 {
                unconfirmedSeparator = mark
                // The strip's own unambiguous point elsewhere, or the start of the red drums, is
                // the better guess for the split (a comma with room of its own joins the next
                // digit at the locating scale, and a speck takes its place as the mark); still
                // one for a clerk.
                if let point = fullResolution.point {
                    separator = point
                } else if let red = redFractionFrom {
                    separator = red - 1
                }
            }
        } else {
            (separator, possibleSeparators, _) = fullResolution
            // A faint mark just before the red drums is the frame or gap where the fraction
            // begins: it agrees with the colour's split and leaves nothing for a clerk to decide.
            // Marks between red drums are their frames' corners: every red drum is a fraction
            // digit, so no decimal mark can lie there.
            if let red = redFractionFrom { possibleSeparators.removeAll { $0 + 1 >= red } }
            // One faint mark and nothing red: the best guess splits there; the mark stays in
            // `possibleDecimalAfter`, so the reading still goes to a clerk.
            if separator == nil, redFractionFrom == nil, possibleSeparators.count == 1 {
                separator = possibleSeparators[0]
            }
        }
        if separator == nil, redFractionFrom == nil, possibleSeparators.isEmpty,
            let flip = Self.polarityFlip(candidate.darkInk)
        {
            // Fraction drums whose colour the photo lost (a gray picture, a washed-out red)
            // still differ from the integer drums in polarity: the split is the best guess,
            // for a clerk to confirm.
            separator = flip
            possibleSeparators = [flip]
        }
        if candidate.decimalAfter == nil, separator == nil, redFractionFrom == nil {
            // Nothing else splits the row: a mark that may be a foot or a point after the fifth
            // digit or later is a clerk's call, not a split. Missed there, a point turns the
            // commonest LCD register (five digits and a decimal) into six plain digits, which
            // nothing else doubts; earlier, a split would give an unusual register anyway.
            possibleSeparators += fullResolution.footOrPoint.filter { $0 >= 4 }
        }
        if let last = separator {
            for index in cells.indices where index > last { cells[index].isFraction = true }
        }
        var crop = CounterCrop(
            strip: strip, cells: cells, candidate: located, stripScale: stripScale, stripCenter: stripCenter,
            possibleDecimalAfter: possibleSeparators, unconfirmedDecimalAfter: unconfirmedSeparator)
        if counterEnd < cells.count { crop = crop.keepingCells(Array(0..<counterEnd)) }
        crop.digitMayBeMissing = digitMayBeMissing(
            cells: crop.cells, candidate: crop.candidate, photo: photo, stripHeight: stripHeight,
            stripScale: stripScale, whiteBalance: planes.whiteBalance)
        return crop
    }

    /// The centre, along the strip, of the digit-tall piece of ink nearest to `u` within a
    /// third of a pitch, in a window of 1.6 pitches (Otsu's level on the window, `darkInk`'s
    /// polarity); nil when there is none. Window frames and the band around drum windows run
    /// taller than a digit and are passed over, as are pieces cut by the window's sides.
    static func digitInkCenter(
        in strip: Image, near u: Double, top: Int, height: Int, pitch: Double, digitHeight: Double, darkInk: Bool
    ) -> Double? {
        let width = max(4, Int(1.6 * pitch))
        let left = Int(u - 0.8 * pitch)
        let window = strip.cropped(x: left, y: top, width: width, height: height)
        let level = Threshold.otsu(Threshold.histogram(window))
        let ink = Threshold.binarize(window, level: level, darkInk: darkInk)
        var best: (center: Double, distance: Double)? = nil
        for blob in Components.blobs(in: ink, minimumArea: 4) {
            let tall = Double(blob.height)
            guard tall >= 0.45 * digitHeight, tall <= 1.15 * digitHeight, blob.minX > 0, blob.maxX < width - 1,
                Double(blob.width) <= 0.9 * pitch
            else { continue }
            let center = Double(left) + blob.centerX
            let distance = abs(center - u)
            if distance <= pitch / 3, best == nil || distance < best!.distance { best = (center, distance) }
        }
        return best?.center
    }

    /// Where the locator's ink past an end of the row may be a digit the row lacks. Past a red
    /// drum, or before one, more ink is another fraction drum, which the integer reading does
    /// not need (red drums can come out as a row of their own, in the other polarity); after a
    /// decimal mark it is not let pass, since a mark found in the wrong gap looks just the same.
    func digitMayBeMissing(
        cells: [DigitCell], candidate: CounterCandidate, photo: Image, stripHeight: Int, stripScale: Double,
        whiteBalance: WhiteBalance
    ) -> RowEnd? {
        if candidate.inkBeforeFirst { return .start }
        guard candidate.inkAfterLast else { return nil }
        if let last = cells.last, last.isFraction, last.redness > fractionRedShare { return nil }
        // The pitch after the last cell, sampled on its own (the strip ends before it), and
        // only here: most rows have no ink there.
        let centers = candidate.cellCenters
        let (cosine, sine) = (cos(candidate.angle), sin(candidate.angle))
        let after = Point(
            x: centers[centers.count - 1].x + candidate.pitch * cosine,
            y: centers[centers.count - 1].y + candidate.pitch * sine)
        let pitchWidth = max(1, Int(candidate.pitch * stripScale))
        let grid = SamplingGrid.rotated(
            center: after, angle: candidate.angle, step: 1 / stripScale, width: pitchWidth, height: stripHeight)
        let planes = ColorPlanes.sampled(
            from: photo, width: pitchWidth, height: stripHeight, grid: grid, whiteBalance: whiteBalance)
        return planes.redness.share(above: 60) > fractionRedShare ? nil : .end
    }

    /// Finds a decimal point the locator could not see as a mark of its own: on LCDs it sits
    /// in the narrow gap at the baseline and, blurred or at the locating scale, runs into the
    /// next digit. In the full-resolution strip it is a short run of columns right of a digit's
    /// ink (a serif or the foot of a "1" stays within its digit's width) that are ink just
    /// above the baseline and background above and below that (a window frame, a housing edge
    /// or a neighbouring stroke is not). Only an unambiguous find counts as `point`; marks too
    /// small to be sure of, marks with ink below them (a comma, or a stroke that only looks
    /// like one), and rival finds are handed back as `possible` (after which positions), so
    /// that a reading without a decimal point is not trusted blindly; `footOrPoint`, positions
    /// where the ink touching a digit on a foot may be that foot or a point. `pixelScale` is the
    /// strip's pixels per photo pixel, where it was sampled finer for the search.
    func decimalPoint(
        in strip: Image, positions: [Double], baseline: Double, digitHeight: Double, digitWidth: Double,
        pitch: Double, darkInk: [Bool], pixelScale: Double = 1
    ) -> (point: Int?, possible: [Int], footOrPoint: [Int]) {
        guard positions.count >= 4, digitHeight >= 8 else { return (nil, [], []) }
        let top = Int(baseline - 0.62 * digitHeight)
        let dotTop = Int(baseline - 0.2 * digitHeight)
        let dotBottom = Int(baseline + 0.06 * digitHeight)
        let clearTop = Int(baseline - 0.9 * digitHeight)
        let clearBottom = Int(baseline - 0.25 * digitHeight)
        let belowTop = Int(baseline + 0.14 * digitHeight)
        // A short comma's tail reaches just below the baseline (0.05–0.12 of the digit height on
        // the tuning sets), a digit's foot ends on it (at most 0.013 below, blur included).
        let tailTop = Int((baseline + 0.035 * digitHeight).rounded(.up))
        let belowBottom = Int(baseline + 0.24 * digitHeight)
        guard clearTop >= 0, belowBottom < strip.height else { return (nil, [], []) }
        // One ink level for the whole row, from the band the digits fill.
        let band = strip.cropped(x: 0, y: top, width: strip.width, height: dotBottom - top)
        let level = Int(Threshold.otsu(Threshold.histogram(band)))
        // Italic digits are searched upright: sheared back, the upper strokes stand over
        // their own digit again, and a point tucked under the last one's overhang has clear
        // background above it.
        let middle = baseline - 0.5 * digitHeight
        let lean = Slant.estimate(
            strip, level: level, dark: darkInk.count(where: { $0 }) * 2 >= darkInk.count,
            rows: clearTop...Int(baseline), middle: middle,
            columns: Int(positions[0] - 0.6 * pitch)..<Int(positions[positions.count - 1] + 0.6 * pitch))
        // Each row's shift under that lean, worked out once: the search reads a pixel many times.
        let shifts = lean == 0 ? [] : (0..<strip.height).map { Int((lean * (middle - Double($0))).rounded()) }
        var found: [Int] = []
        // Found points only two photo pixels wide: at the size of a small LCD's point, but the
        // end of a stroke shows as much. Split on, for a clerk to confirm.
        var thin: [Int] = []
        var faint: [Int] = []
        var footOrPoint: [Int] = []
        strip.pixels.withUnsafeBufferPointer { pixels in
            func isInk(_ x: Int, _ y: Int, dark: Bool) -> Bool {
                let x = shifts.isEmpty ? x : x + shifts[y]
                guard x >= 0, x < strip.width else { return false }
                let value = Int(pixels[y * strip.width + x])
                return dark ? value <= level : value > level
            }
            /// The rows below the baseline where a comma's tail can hang: not those inked along
            /// half the strip or more, the edge of the window or panel the digits stand on (an
            /// LCD's digits can sit that close to its frame; faint, the edge is inked only in
            /// places). Worked out once per polarity in the row.
            func tailRows(dark: Bool) -> [Int] {
                guard darkInk.contains(dark) else { return [] }
                return (belowTop...belowBottom).filter { y in
                    (0..<strip.width).count { isInk($0, y, dark: dark) } < strip.width / 2
                }
            }
            let (darkTailRows, lightTailRows) = (tailRows(dark: true), tailRows(dark: false))
            /// Ink in column x: in the point's band just above the baseline, in the digit's body
            /// above it, and below the baseline.
            func column(_ x: Int, dark: Bool) -> (low: Int, above: Int, below: Int) {
                var low = 0
                for y in dotTop...dotBottom where isInk(x, y, dark: dark) { low += 1 }
                var above = 0
                for y in clearTop...clearBottom where isInk(x, y, dark: dark) { above += 1 }
                var below = 0
                for y in dark ? darkTailRows : lightTailRows where isInk(x, y, dark: dark) { below += 1 }
                return (low, above, below)
            }
            /// Whether column x has ink just below the baseline, above the band a long comma
            /// tail reaches into.
            func dipsBelowBaseline(_ x: Int, dark: Bool) -> Bool {
                tailTop < belowTop && (tailTop..<belowTop).contains { isInk(x, $0, dark: dark) }
            }
            /// Whether the digit ending at column `bodyEnd` stands on a foot: ink along the
            /// baseline left of its stem, as under a serifed "1" or a "2". The right half of a
            /// foot looks like a point touching the digit; a seven-segment digit has none. The
            /// stem is the leftmost ink at half the digit's height and again at 0.3 of it: at
            /// half height a seven-segment "1" tapers to a sliver right of its lower segment,
            /// and at 0.3 a "5" shows only its right segment above its bottom bar. Digits
            /// packed closer than their width says put `start` in the previous digit, whose
            /// bottom bar is no foot of this one: the stem is then looked for from the gap
            /// between them, a column clear down to the baseline left of `center`.
            func hasFoot(before bodyEnd: Int, from start: Int, center: Int, dark: Bool) -> Bool {
                var start = max(0, start)
                guard start < bodyEnd else { return false }
                if start < center, let gap = (start..<center).first(where: { x in
                    let ink = column(x, dark: dark)
                    return ink.low == 0 && ink.above == 0
                }) {
                    start = gap
                }
                let overhang = max(2, Int(0.06 * digitHeight))
                return [0.5, 0.3].allSatisfy { share in
                    let row = Int(baseline - share * digitHeight)
                    guard
                        let stemLeft = (start...bodyEnd).first(where: { x in
                            ((row - 1)...(row + 1)).contains { isInk(x, $0, dark: dark) }
                        }), stemLeft - overhang >= 0
                    else { return false }
                    return ((stemLeft - overhang)..<stemLeft).allSatisfy {
                        Double(column($0, dark: dark).low) >= 0.04 * digitHeight
                    }
                }
            }
            /// The longest runs of point-like columns in x0...x1, without and with ink hanging
            /// below the baseline (a comma's tail). A run still going at `reach` (0.8 of a pitch
            /// past the digit) whose ink goes on along the baseline into the next digit is that
            /// digit's foot reaching into the gap (the bottom corner of a slanted seven-segment
            /// "2"), not a mark of its own; so is one that ends in the next digit after starting
            /// late in the gap (the tail of a printed "3" or "5", the serif of a "1"). A blurred
            /// point touching the next digit starts early, close to its own digit (tuning sets:
            /// points within 0.13 of a pitch of x0, tails 0.25 and more). A comma, whose tail
            /// hangs below the baseline, is no digit's foot even where its head touches the next
            /// digit, and neither is a mark that dips just below the baseline (a short, embossed
            /// comma).
            func runs(_ x0: Int, _ x1: Int, reach: Int, dark: Bool) -> (point: Int, comma: Int) {
                var (run, longest, commaRun, longestComma) = (0, 0, 0, 0)
                var hangsBelow = false
                var dips = false
                let lateStart = x0 + Int(0.2 * pitch)
                for x in x0...x1 {
                    let ink = column(x, dark: dark)
                    let mark = Double(ink.low) >= 0.06 * digitHeight && ink.above == 0
                    // A run is measured where it ends.
                    let pointEnds = !(mark && ink.below == 0) && run > 0
                    let commaEnds = !mark && commaRun > 0
                    if pointEnds || commaEnds {
                        let foot = (x - max(run, commaRun) > lateStart || x > reach) && runsIntoNextDigit(from: x, dark: dark)
                        if pointEnds, !foot || dips { longest = max(longest, run) }
                        if commaEnds, !foot || hangsBelow { longestComma = max(longestComma, commaRun) }
                    }
                    run = mark && ink.below == 0 ? run + 1 : 0
                    commaRun = mark ? commaRun + 1 : 0
                    hangsBelow = mark && (hangsBelow || ink.below > 0)
                    dips = mark && ink.below == 0 && (dips || dipsBelowBaseline(x, dark: dark))
                }
                if !runsIntoNextDigit(from: x1 + 1, dark: dark) {
                    longest = max(longest, run)
                    longestComma = max(longestComma, commaRun)
                }
                return (longest, longestComma)
            }
            /// Whether ink along the baseline goes on from column x, without a gap, into a
            /// digit's body (ink above the point's band).
            func runsIntoNextDigit(from x: Int, dark: Bool) -> Bool {
                var x = x
                while x < strip.width {
                    let ink = column(x, dark: dark)
                    if ink.above > 0 { return true }
                    if ink.low == 0 { return false }
                    x += 1
                }
                return false
            }
            /// The first column of the gap between two digits that lies left of `x`, when `x`
            /// falls in the next digit's body: ink in the digit's band from `x` on for half a
            /// digit's width, and before it a run of clear columns (at least two) that begins
            /// past `notBefore` (the digit's position). Nil when `x` is not in ink, or no such
            /// gap precedes it.
            func gapBefore(_ x: Int, after notBefore: Int, dark: Bool) -> Int? {
                let inkedTo = x + Int(0.5 * digitWidth)
                guard inkedTo < strip.width, (x...inkedTo).allSatisfy({ column($0, dark: dark).above > 0 })
                else { return nil }
                var end = x - 1
                while end > notBefore, column(end, dark: dark).above > 0 { end -= 1 }
                var start = end
                while start - 1 > notBefore, column(start - 1, dark: dark).above == 0 { start -= 1 }
                guard end - start >= 1, column(end, dark: dark).above == 0 else { return nil }
                return start
            }
            // Registers have at least three integer digits and at most four fraction digits:
            // a "point" elsewhere is the end of a stroke (the tail of a "3", a "5").
            for index in 2..<(positions.count - 1) where positions.count - 1 - index <= 4 {
                var x0 = max(0, Int(positions[index] + max(0.3 * pitch, 0.5 * digitWidth)))
                // Up to a pitch on: a printed comma or an LCD point given room of its own sits
                // past the middle of the gap, and the next digit's body ends any run there.
                let x1 = min(strip.width - 1, Int(positions[index] + pitch))
                guard x1 > x0 else { continue }
                let dark = darkInk[index]
                if let gap = gapBefore(x0, after: Int(positions[index]), dark: dark) {
                    // Where the row's pitch changes along it (a panel seen at an angle), a
                    // position is off by a sixth of a pitch, and the search would begin inside
                    // the next digit, past a point in a narrow gap: it begins at the gap.
                    x0 = gap
                }
                // Ink along the baseline that comes into the search from under a digit standing
                // on a foot, and began well before it, past the end of the digit's body (the serif
                // foot of a "1" wider than the row's digits), is that foot, or a point pressed
                // against it: no mark standing on its own, but the touching case below. A point
                // pressed against a digit begins where the body ends (the bottom bar of a "3").
                /// The last column of the digit's body (ink above the point's band) before `x`.
                func bodyEnd(before x: Int) -> Int? {
                    (max(0, Int(positions[index]))..<x).last(where: { column($0, dark: dark).above > 0 })
                }
                let footSearchStart = Int(positions[index] - 0.6 * digitWidth)
                if column(x0, dark: dark).low > 0, let bodyEnd = bodyEnd(before: x0),
                    Double(x0 - bodyEnd) > 0.1 * digitHeight,
                    (bodyEnd..<x0).allSatisfy({ column($0, dark: dark).low > 0 }),
                    hasFoot(before: bodyEnd, from: footSearchStart, center: Int(positions[index]), dark: dark)
                {
                    while x0 < x1, column(x0, dark: dark).low > 0, column(x0, dark: dark).above == 0 { x0 += 1 }
                }
                let reach = Int(positions[index] + 0.8 * pitch)
                let (longest, longestComma) = runs(x0, x1, reach: reach, dark: dark)
                let limit = 0.3 * digitHeight
                /// A run of columns as wide as a point or comma: more than a speck, less than a stroke.
                func pointWide(_ run: Int) -> Bool { Double(run) <= limit && Double(run) >= 0.06 * digitHeight }
                if pointWide(longest) {
                    found.append(index)
                    if Double(longest) < 3 * pixelScale { thin.append(index) }
                } else if Double(longest) <= limit, longest >= max(2, Int(0.03 * digitHeight)) {
                    faint.append(index)
                } else if pointWide(longestComma) {
                    faint.append(index)
                } else if let bodyEnd = bodyEnd(before: x0), bodyEnd + 1 < x0 {
                    // An LCD point printed close to its digit touches the digit's last stroke
                    // (the bottom of a "1", the corner of a "5") and starts left of the search
                    // above. Searched from the end of the digit's body, a foot under the digit
                    // looks the same: feet are told apart, and what remains is only a
                    // possible point (the reading is split there, for a clerk to confirm).
                    // Part of such a point lies under the digit's last stroke: a narrower run
                    // counts.
                    let touching = runs(bodyEnd + 1, x1, reach: reach, dark: dark).point
                    if Double(touching) <= limit, Double(touching) >= 0.04 * digitHeight {
                        // A foot's right half and a point pressed against a seven-segment
                        // digit's bottom bar look alike: not split on, but for a clerk.
                        if hasFoot(before: bodyEnd, from: footSearchStart, center: Int(positions[index]), dark: dark) {
                            footOrPoint.append(index)
                        } else {
                            faint.append(index)
                        }
                    }
                }
            }
        }
        return (found.count == 1 ? found[0] : nil, found.count == 1 ? thin : found + faint, footOrPoint)
    }

    /// The position after which the row's ink turns from one polarity to the other for good,
    /// leaving at least three positions before and one to four after it: where black integer
    /// drums meet light fraction drums (or the other way round). Nil for any other pattern.
    static func polarityFlip(_ darkInk: [Bool]) -> Int? {
        guard let first = darkInk.first, let flip = darkInk.firstIndex(where: { $0 != first }) else { return nil }
        let after = darkInk.count - flip
        guard flip >= 3, (1...4).contains(after), darkInk[flip...].allSatisfy({ $0 != first }) else { return nil }
        return flip - 1
    }

    /// A drum turns only while every drum to its right passes from 9 to 0, so drums caught
    /// mid-roll form a run that ends at the right end of the row. A "rolling" cell anywhere
    /// else is a misreading of its picture (a hollow glyph, a shadow) and is taken at rest.
    func keepRollingSuffix(_ cells: inout [DigitCell]) {
        var index = cells.count - 1
        while index >= 0, cells[index].isRolling { index -= 1 }
        while index >= 0 {
            cells[index].roll.isRolling = false
            index -= 1
        }
    }

    /// Fraction drums are the red ones at the right end of the row. The redness of a cell is
    /// measured over its whole pitch, so the last black drum picks up some of its red
    /// neighbour's frame: a red drum is also at least `redShareOfReddest` as red as the reddest.
    /// Returns how many cells the counter has: positions the locator counted on past the red
    /// drums for ink there (the unit, the plate's edge) are no drums, as fraction drums are red
    /// to the last.
    func markFractionSuffix(_ cells: inout [DigitCell]) -> Int {
        if markedRedSuffix(&cells[...]) > 0 { return cells.count }
        let notRed = clearRedShare(reddest: cells.map(\.redness).max() ?? 0)
        var end = cells.count
        while end > 1, cells[end - 1].isInferred, cells[end - 1].redness < notRed { end -= 1 }
        guard end < cells.count else { return cells.count }
        return markedRedSuffix(&cells[..<end], clearlyRedOnly: true) > 0 ? end : cells.count
    }

    /// The redness above which a cell is a clearly red drum, in a row whose reddest cell has
    /// `reddest` and whose leading (integer) cells have `baseline` (warm light lifts both).
    private func clearRedShare(reddest: Double, baseline: Double = 0) -> Double {
        max(fractionRedShare, baseline * 2.5, reddest * redShareOfReddest)
    }

    /// Marks the red drums ending `cells` as fraction drums (`clearlyRedOnly`: not faintly red
    /// ones); how many it marked.
    private func markedRedSuffix(_ cells: inout ArraySlice<DigitCell>, clearlyRedOnly: Bool = false) -> Int {
        let first = cells.startIndex
        let leading = cells.prefix(max(1, cells.count / 2)).map(\.redness).sorted()
        let baseline = leading[leading.count / 2]
        let threshold = clearRedShare(reddest: cells.map(\.redness).max() ?? 0, baseline: baseline)
        var index = cells.endIndex - 1
        // A red "1" carries little red over its whole pitch, less than a neighbour's red frame
        // can spill into a black drum's, but red in the middle of the pitch is the digit's own
        // (as much there as a red drum shows over its pitch; under warm light a cream drum
        // shows a little everywhere, and the baseline rises with it).
        while index > first, max(cells[index].redness, cells[index].centralRedness) > threshold {
            cells[index].isFraction = true
            index -= 1
        }
        guard index == cells.endIndex - 1, !clearlyRedOnly else { return cells.endIndex - 1 - index }
        // Nothing clearly red. A single faintly red cell at the end is more often the last
        // black drum catching its red neighbour (the row stopped short of the red drums) than
        // a fraction drum; two or more, evenly red, after cells with next to none, are drums.
        var start = cells.endIndex
        while start > first, cells[start - 1].redness > faintFractionRedShare { start -= 1 }
        let suffix = cells[start...].map(\.redness)
        guard start - first >= 3, (2...4).contains(suffix.count), let least = suffix.min(), let most = suffix.max(),
            least >= 0.6 * most, cells[..<start].allSatisfy({ $0.redness < 0.25 * least })
        else { return 0 }
        for index in start..<cells.endIndex { cells[index].isFraction = true }
        return suffix.count
    }
}

extension Image {
    /// A gray sub-image; parts outside the image repeat the nearest edge pixel.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> Image {
        precondition(format == .gray, "cropped takes a gray image")
        let w = width
        let h = height
        let pixels = [UInt8](unsafeUninitializedCapacity: cropWidth * cropHeight) { output, count in
            self.pixels.withUnsafeBufferPointer { input in
                for row in 0..<cropHeight {
                    let sy = min(max(y + row, 0), h - 1)
                    for column in 0..<cropWidth {
                        let sx = min(max(x + column, 0), w - 1)
                        output[row * cropWidth + column] = input[sy * w + sx]
                    }
                }
            }
            count = cropWidth * cropHeight
        }
        return Image(width: cropWidth, height: cropHeight, format: .gray, pixels: pixels)
    }

    /// The negative of a gray image.
    public func inverted() -> Image {
        var copy = self
        copy.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices { pixels[index] = 255 &- pixels[index] }
        }
        return copy
    }

    /// Share of pixels brighter than `level`.
    public func share(above level: UInt8) -> Double {
        guard !pixels.isEmpty else { return 0 }
        var count = 0
        for value in pixels where value > level { count += 1 }
        return Double(count) / Double(pixels.count)
    }

    /// Mean pixel value of a gray image.
    public var mean: Double {
        guard !pixels.isEmpty else { return 0 }
        // Wrapping adds (a photo's sum is far below Int.max) let the loop vectorise; it runs
        // over every photo's locating picture.
        let sum = pixels.withUnsafeBufferPointer { pixels in
            var sum = 0
            for value in pixels { sum &+= Int(value) }
            return sum
        }
        return Double(sum) / Double(pixels.count)
    }
}
