public import MeterImage

/// Tells a drum caught between two digits from a digit at rest.
///
/// A digit at rest is one piece of ink from top to bottom (seven-segment digits have only
/// hairline gaps). A drum mid-roll shows the bottom of one digit and the top of the next with
/// a blank band of drum between them, or a single piece pushed against the window's top or
/// bottom edge.
public enum RollingDetector {
    /// Whether `cell` (cut 1.3 digit-heights tall around the digit row) shows a mid-roll drum.
    public static func isMidRoll(_ cell: Image, darkInk: Bool) -> Bool {
        precondition(cell.format == .gray, "isMidRoll takes a gray cell")
        let width = cell.width
        let height = cell.height
        guard width >= 4, height >= 8 else { return false }
        let level = Threshold.otsu(Threshold.histogram(cell))
        // Only the middle columns: window frames and neighbours live at the sides.
        let x0 = width / 5
        let x1 = width - width / 5
        var rowHasInk = [Bool](repeating: false, count: height)
        cell.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                var ink = 0
                for x in x0..<x1 {
                    let value = pixels[y * width + x]
                    if (value <= level) == darkInk { ink += 1 }
                }
                let share = Double(ink) / Double(x1 - x0)
                // A row of solid ink across the cell is a window edge, not a glyph.
                rowHasInk[y] = share > 0.04 && share < 0.9
            }
        }
        guard let first = rowHasInk.firstIndex(of: true), let last = rowHasInk.lastIndex(of: true) else {
            return false
        }
        // The longest blank run strictly between ink rows.
        var longestGap = 0
        var gap = 0
        for y in first...last {
            if rowHasInk[y] {
                longestGap = max(longestGap, gap)
                gap = 0
            } else {
                gap += 1
            }
        }
        let digitHeight = Double(height) / 1.3
        if Double(longestGap) >= 0.1 * digitHeight { return true }
        // One piece, but cut by the window edge and shifted off centre.
        let span = Double(last - first + 1)
        let touchesEdge = first <= 1 || last >= height - 2
        let center = Double(first + last) / 2
        return touchesEdge && span < 0.85 * digitHeight
            && abs(center - Double(height) / 2) > 0.2 * digitHeight
    }
}
