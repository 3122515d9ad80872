public import MeterImage

/// Summed-area tables of a gray image and of its squares: any box mean and variance in O(1),
/// which makes adaptive thresholds independent of the window size.
public struct IntegralImage: Sendable {
    /// Width of the source image.
    public let width: Int
    /// Height of the source image.
    public let height: Int
    // (width+1)×(height+1) tables with a zero first row and column. Sums wrap: a box's sum is
    // exact whenever its true value fits in 32 bits, i.e. boxes up to 16 megapixels for the
    // sums and 66,000 pixels (a 257×257 window) for the squares. Thresholds use far smaller.
    let sums: [UInt32]
    let squares: [UInt32]

    /// Builds the tables for a gray image.
    public init(_ image: Image) {
        precondition(image.format == .gray, "IntegralImage takes a gray image")
        let width = image.width
        let height = image.height
        let stride = width + 1
        let count = stride * (height + 1)
        // The largest window a caller may ask about, for the 32-bit squares above.
        let table = { (square: Bool) -> [UInt32] in
            [UInt32](unsafeUninitializedCapacity: count) { output, initialized in
                image.pixels.withUnsafeBufferPointer { pixels in
                    guard let source = pixels.baseAddress, let out = output.baseAddress else { return }
                    for x in 0..<stride { out[x] = 0 }
                    for y in 0..<height {
                        var rowSum: UInt32 = 0
                        let input = source + y * width
                        let above = out + y * stride + 1
                        let here = out + (y + 1) * stride + 1
                        here[-1] = 0
                        if square {
                            for x in 0..<width {
                                let value = UInt32(input[x])
                                rowSum &+= value &* value
                                here[x] = above[x] &+ rowSum
                            }
                        } else {
                            for x in 0..<width {
                                rowSum &+= UInt32(input[x])
                                here[x] = above[x] &+ rowSum
                            }
                        }
                    }
                }
                initialized = count
            }
        }
        let sums = table(false)
        let squares = table(true)
        self.width = width
        self.height = height
        self.sums = sums
        self.squares = squares
    }

    /// Sum and sum of squares over the box [x0, x1) × [y0, y1), clipped to the image.
    public func boxStatistics(x0: Int, y0: Int, x1: Int, y1: Int) -> (count: Int, sum: Double, squares: Double) {
        let left = max(0, x0)
        let top = max(0, y0)
        let right = min(width, x1)
        let bottom = min(height, y1)
        guard right > left, bottom > top else { return (0, 0, 0) }
        let stride = width + 1
        let a = top * stride + left
        let b = top * stride + right
        let c = bottom * stride + left
        let d = bottom * stride + right
        let sum = sums[d] &- sums[b] &- sums[c] &+ sums[a]
        let squaresSum = squares[d] &- squares[b] &- squares[c] &+ squares[a]
        return ((right - left) * (bottom - top), Double(sum), Double(squaresSum))
    }
}
