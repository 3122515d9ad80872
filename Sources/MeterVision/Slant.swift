public import MeterImage

/// The lean of a row's digits: italic seven-segment fonts lean right by a tenth to a fifth of
/// their height, which puts a digit's upper strokes over the gap where its decimal point sits.
public enum Slant {
    /// Leans tried, in pixels of horizontal shift per pixel of height.
    static let candidates: [Double] = [0, 0.05, 0.1, 0.15, 0.2, 0.25]

    /// The lean under which the edges of the ink of `rows` in `strip` (ink: at or below `level`
    /// when `dark`, above it otherwise) stand in the fewest, fullest columns: the sum of
    /// squared column counts after shearing about row `middle` is largest there. Upright (0)
    /// unless another lean concentrates the columns by `margin` more. Edges (where ink begins
    /// or ends along a row), not all ink: the wide horizontal bars of bold, soft seven-segment
    /// digits fill as many columns at any lean and drowned the lean of the vertical segments.
    /// Only the ink in `columns` (all, when nil) counts: a panel's or window's upright frame
    /// beside the digits outweighs them.
    public static func estimate(
        _ strip: Image, level: Int, dark: Bool, rows: ClosedRange<Int>, middle: Double, margin: Double = 0.04,
        columns inkColumns: Range<Int>? = nil
    ) -> Double {
        let width = strip.width
        guard width > 0, rows.lowerBound >= 0, rows.upperBound < strip.height else { return 0 }
        let counted = (inkColumns ?? 0..<width).clamped(to: 0..<width)
        // Edge columns of every second row: enough to measure a lean, half the work.
        var edgeRows: [(y: Int, xs: [Int32])] = []
        strip.pixels.withUnsafeBufferPointer { pixels in
            for y in stride(from: rows.lowerBound, through: rows.upperBound, by: 2) {
                var xs: [Int32] = []
                let row = y * width
                var before = false
                for x in counted {
                    let value = Int(pixels[row + x])
                    let ink = dark ? value <= level : value > level
                    if ink != before, x > counted.lowerBound { xs.append(Int32(x)) }
                    before = ink
                }
                edgeRows.append((y, xs))
            }
        }
        var columns = [Int32](repeating: 0, count: width)
        func concentration(_ lean: Double) -> Double {
            for index in columns.indices { columns[index] = 0 }
            for (y, xs) in edgeRows {
                // Ink above the middle moves left, ink below it right: upright again.
                let shift = Int32((lean * (middle - Double(y))).rounded())
                for x in xs {
                    let sheared = Int(x - shift)
                    if sheared >= 0, sheared < width { columns[sheared] += 1 }
                }
            }
            return columns.reduce(0.0) { $0 + Double($1) * Double($1) }
        }
        let upright = concentration(0)
        var best = (lean: 0.0, score: upright * (1 + margin))
        for lean in candidates.dropFirst() {
            let score = concentration(lean)
            if score > best.score { best = (lean, score) }
        }
        return best.lean
    }
}
