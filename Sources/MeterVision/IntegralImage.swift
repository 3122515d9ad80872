public import MeterImage

/// Summed-area tables of a gray image and of its squares: any box mean and variance in O(1),
/// which makes adaptive thresholds independent of the window size.
public struct IntegralImage: Sendable {
    /// Width of the source image.
    public let width: Int
    /// Height of the source image.
    public let height: Int
    // (width+1)×(height+1) tables with a zero first row and column.
    private var sums: [UInt32]
    private var squares: [UInt64]

    /// Builds the tables for a gray image.
    public init(_ image: Image) {
        precondition(image.format == .gray, "IntegralImage takes a gray image")
        let width = image.width
        let height = image.height
        self.width = width
        self.height = height
        let stride = width + 1
        var sums = [UInt32](repeating: 0, count: stride * (height + 1))
        var squares = [UInt64](repeating: 0, count: stride * (height + 1))
        image.pixels.withUnsafeBufferPointer { pixels in
            sums.withUnsafeMutableBufferPointer { sums in
                squares.withUnsafeMutableBufferPointer { squares in
                    for y in 0..<height {
                        var rowSum: UInt32 = 0
                        var rowSquares: UInt64 = 0
                        for x in 0..<width {
                            let value = UInt32(pixels[y * width + x])
                            rowSum &+= value
                            rowSquares &+= UInt64(value * value)
                            sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1] &+ rowSum
                            squares[(y + 1) * stride + x + 1] = squares[y * stride + x + 1] &+ rowSquares
                        }
                    }
                }
            }
        }
        self.sums = sums
        self.squares = squares
    }

    /// Sum and sum of squares over the box [x0, x1) × [y0, y1), clipped to the image.
    @inlinable
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
        let sum = sumTable(d) &- sumTable(b) &- sumTable(c) &+ sumTable(a)
        let squaresSum = squareTable(d) &- squareTable(b) &- squareTable(c) &+ squareTable(a)
        return ((right - left) * (bottom - top), Double(sum), Double(squaresSum))
    }

    @usableFromInline func sumTable(_ index: Int) -> UInt32 { sums[index] }
    @usableFromInline func squareTable(_ index: Int) -> UInt64 { squares[index] }
}
