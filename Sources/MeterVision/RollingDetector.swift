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
            return Analysis(isRolling: false, dominantRows: first..<(last + 1), dominantIsUpper: true)
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
        return Analysis(isRolling: rolling, dominantRows: first..<(last + 1), dominantIsUpper: center < middle)
    }
}
