public import MeterImage

/// Tells a drum caught between two digits from a digit at rest.
///
/// A digit at rest is one piece of ink from top to bottom (seven-segment digits have only
/// hairline gaps). A drum mid-roll shows the bottom of one digit and the top of the next with
/// a blank band of drum between them, or a single piece pushed against the window's top or
/// bottom edge.
public enum RollingDetector {
    /// What a cell shows about the drum's position.
    public struct Analysis: Sendable, Hashable {
        /// Caught between two digits.
        public var isRolling: Bool
        /// Rows of the larger visible piece of digit (the whole ink span for a digit at rest).
        public var dominantRows: Range<Int>
        /// The larger piece sits in the upper part of the window: it is the digit rolling out
        /// (the lower value); in the lower part it is the digit rolling in (the higher value).
        public var dominantIsUpper: Bool
        /// Rows of the piece that makes a digit at rest whole (nearly digit-tall, or the only
        /// piece inside a drum window's frame); nil when the cell shows none.
        public var wholePiece: Range<Int>? = nil
    }

    /// Whether `cell` (cut 1.3 digit-heights tall around the digit row) shows a mid-roll drum.
    public static func isMidRoll(_ cell: Image, darkInk: Bool) -> Bool {
        analyze(cell, darkInk: darkInk).isRolling
    }

    /// Rolling state and the larger visible piece of a cell.
    public static func analyze(_ cell: Image, darkInk: Bool) -> Analysis {
        precondition(cell.format == .gray, "analyze takes a gray cell")
        let width = cell.width
        let height = cell.height
        let nothing = Analysis(isRolling: false, dominantRows: 0..<height, dominantIsUpper: true)
        guard width >= 4, height >= 8 else { return nothing }
        let level = Threshold.otsu(Threshold.histogram(cell))
        // Nearly the full width: the middle columns alone cut a "0" or "8" into arcs with
        // blank rows between them. Columns that are ink almost all the way down are the
        // window's side frames and are left out.
        let inset = max(1, width / 12)
        var columnInk = [Int](repeating: 0, count: width)
        cell.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                for x in 0..<width where (pixels[y * width + x] <= level) == darkInk { columnInk[x] += 1 }
            }
        }
        let columns = (inset..<(width - inset)).filter { Double(columnInk[$0]) < 0.85 * Double(height) }
        guard columns.count >= 3 else { return nothing }
        let x0 = 0
        let x1 = columns.count
        var rowHasInk = [Bool](repeating: false, count: height)
        var rowInk = [Int](repeating: 0, count: height)
        cell.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                var ink = 0
                for x in columns where (pixels[y * width + x] <= level) == darkInk { ink += 1 }
                rowInk[y] = ink
                let share = Double(ink) / Double(x1 - x0)
                // A row of solid ink across the cell is a window edge, not a glyph.
                rowHasInk[y] = share > 0.04 && share < 0.9
            }
        }
        // Window frames cross the cell top and bottom as rows of solid ink; their blurred edges
        // look like thin ink rows. Analyse only what lies between them.
        var interiorStart = 0
        var interiorEnd = height
        let solidShare = 0.9
        func isSolid(_ y: Int) -> Bool { Double(rowInk[y]) / Double(x1 - x0) >= solidShare }
        if let topFrame = (0..<(height / 3)).last(where: isSolid) { interiorStart = topFrame + 3 }
        if let bottomFrame = ((2 * height / 3)..<height).first(where: isSolid) { interiorEnd = bottomFrame - 2 }
        guard interiorEnd - interiorStart >= 4 else { return nothing }
        for y in 0..<height where y < interiorStart || y >= interiorEnd { rowHasInk[y] = false }
        guard let first = rowHasInk.firstIndex(of: true), let last = rowHasInk.lastIndex(of: true) else {
            return nothing
        }
        // Pieces: runs of inked rows, and the longest blank run strictly between them.
        var pieces: [Range<Int>] = []
        var start: Int? = nil
        for y in first...(last + 1) {
            let inked = y <= last && rowHasInk[y]
            if inked, start == nil { start = y }
            if !inked, let begin = start {
                pieces.append(begin..<y)
                start = nil
            }
        }
        var longestGap = 0
        for index in 1..<max(1, pieces.count) {
            longestGap = max(longestGap, pieces[index].lowerBound - pieces[index - 1].upperBound)
        }
        func weight(_ piece: Range<Int>) -> Int { piece.reduce(0) { $0 + rowInk[$1] } }
        let digitHeight = Double(height) / 1.3
        let middle = Double(height) / 2
        // A digit at rest shows one piece of (nearly) full digit height; mid-roll, neither
        // piece is that tall.
        let tallest = pieces.map(\.count).max() ?? 0
        if Double(tallest) >= 0.75 * digitHeight {
            return Analysis(
                isRolling: false, dominantRows: first..<(last + 1), dominantIsUpper: true,
                wholePiece: pieces.first { $0.count == tallest })
        }
        if Double(longestGap) >= 0.1 * digitHeight {
            // Split at the widest gap; the heavier side is the piece to read.
            var splitAt = 1
            for index in 1..<pieces.count
            where pieces[index].lowerBound - pieces[index - 1].upperBound == longestGap {
                splitAt = index
                break
            }
            let upper = pieces[0].lowerBound..<pieces[splitAt - 1].upperBound
            let lower = pieces[splitAt].lowerBound..<pieces[pieces.count - 1].upperBound
            let upperIsHeavier = weight(upper) >= weight(lower)
            return Analysis(
                isRolling: true, dominantRows: upperIsHeavier ? upper : lower,
                dominantIsUpper: upperIsHeavier)
        }
        // One piece, but cut by the window edge and shifted off centre.
        let span = Double(last - first + 1)
        let touchesEdge = first <= 1 || last >= height - 2
        let center = Double(first + last) / 2
        let rolling = touchesEdge && span < 0.85 * digitHeight && abs(center - middle) > 0.2 * digitHeight
        // One piece inside a drum window (its frame crosses the cell) is the whole digit, only
        // shorter than the row's height says: the locator took the windows for the digits.
        let framed = interiorStart > 0 || interiorEnd < height
        return Analysis(
            isRolling: rolling, dominantRows: first..<(last + 1), dominantIsUpper: center < middle,
            wholePiece: !rolling && framed && pieces.count == 1 ? first..<(last + 1) : nil)
    }
}

extension RollingDetector {
    /// How far, in digit heights, a whole digit at the row's right end sits below the line of
    /// the digits at rest when it is the digit rolling in: drums at rest sit within 0.21 of
    /// the line on the tuning and evaluated sets, drums caught with the next digit most of the
    /// way in 0.26 to 0.51 below it.
    static let sunkenDrumDepth = 0.25
    /// How far from the line any other digit of the row may sit for the line to be trusted:
    /// digits off it before the right end mean the line does not fit the row (a
    /// seven-segment "7", without its top bar, centres lower than a "1").
    static let trustedLineDeviation = 0.18
    /// How far, in digit heights, a point of a short row's line may lie off it: the three
    /// digits of a five-drum row at rest lie within 0.054 of their line on the tuning and
    /// evaluated sets; a third drum turning with the last two lay 0.095 and 0.125 off.
    static let shortRowLineFit = 0.07

    /// The row's analyses with the drums at its right end that show the next digit nearly
    /// whole, sunk below the row, marked as caught mid-roll with that digit rolling in.
    ///
    /// Such a drum shows one digit-tall piece, as at rest, so the cell alone cannot tell; only
    /// the row can. Its line is fitted through the centres of the whole digits left of the
    /// last three (the last two on short rows), as the strip's straightening leaves a slight
    /// slope. Drums turn only as a run ending at the right end, so at most the last three are
    /// looked at, right to left, passing over cells already mid-roll or without a whole piece.
    /// `digitHeight`, the row's, is in the cells' pixels; the digits' own (median) height is
    /// used where it is less. Digits much taller than that (ink joined to a frame) are no
    /// points of the line.
    public static func markingSunkenDrums(
        _ analyses: [Analysis], digitHeight rowHeight: Double, cellHeight: Int
    ) -> [Analysis] {
        let count = analyses.count
        // The digits' own height: less than the row's where the locator measured the windows.
        let heights = analyses.compactMap { $0.wholePiece.map { Double($0.count) } }.sorted()
        guard count >= 4, rowHeight > 0, !heights.isEmpty else { return analyses }
        let digitHeight = min(rowHeight, heights[heights.count / 2])
        // Centre of each whole piece below the cell's middle, in digit heights.
        func centre(_ index: Int, minimumHeight: Double, maximumHeight: Double = .infinity) -> Double? {
            guard let piece = analyses[index].wholePiece, Double(piece.count) >= minimumHeight * digitHeight,
                Double(piece.count) <= maximumHeight * digitHeight
            else { return nil }
            return (Double(piece.lowerBound + piece.upperBound) / 2 - Double(cellHeight) / 2) / digitHeight
        }
        func linePoints(leaving last: Int) -> [(Double, Double)] {
            (0..<max(0, count - last)).compactMap { index in
                centre(index, minimumHeight: 0.9, maximumHeight: 1.15).map { (Double(index), $0) }
            }
        }
        var points = linePoints(leaving: 3)
        let short = points.count < 3
        if short { points = linePoints(leaving: 2) }
        guard points.count >= 3 else { return analyses }
        let meanX = points.map(\.0).reduce(0, +) / Double(points.count)
        let meanY = points.map(\.1).reduce(0, +) / Double(points.count)
        let spread = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        let slope = spread > 0 ? points.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) } / spread : 0
        // On a short row the third drum from the right is a point of the line, and may itself
        // be turning with the two after it (02899 caught with the 8 rolling out, high in its
        // window): a line its points do not follow is not trusted.
        if short, points.contains(where: { abs($0.1 - (meanY + slope * ($0.0 - meanX))) > shortRowLineFit }) {
            return analyses
        }
        func depth(_ index: Int) -> Double? {
            centre(index, minimumHeight: 0.75).map { $0 - (meanY + slope * (Double(index) - meanX)) }
        }
        var sunken: [Int] = []
        for index in stride(from: count - 1, through: count - 3, by: -1) {
            if analyses[index].isRolling || analyses[index].wholePiece == nil { continue }
            guard let below = depth(index), below > sunkenDrumDepth else { break }
            sunken.append(index)
        }
        guard let firstSunken = sunken.last else { return analyses }
        for index in 0..<firstSunken where !sunken.contains(index) {
            if let off = depth(index), abs(off) > trustedLineDeviation { return analyses }
        }
        var marked = analyses
        for index in sunken {
            guard let piece = analyses[index].wholePiece else { continue }
            marked[index] = Analysis(isRolling: true, dominantRows: piece, dominantIsUpper: false, wholePiece: piece)
        }
        return marked
    }
}
