public import MeterImage

extension Image {
    /// Averages `factor`×`factor` blocks of a gray image (the last partial row/column dropped).
    public func downscaled(by factor: Int) -> Image {
        precondition(format == .gray, "downscaled(by:) takes a gray image")
        precondition(factor >= 1, "factor must be positive")
        if factor == 1 { return self }
        let outWidth = width / factor
        let outHeight = height / factor
        let sourceWidth = width
        var sums = [UInt32](repeating: 0, count: outWidth)
        let area = UInt32(factor * factor)
        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight) { output, count in
            self.pixels.withUnsafeBufferPointer { input in
                for y in 0..<outHeight {
                    for x in 0..<outWidth { sums[x] = 0 }
                    for row in (y * factor)..<(y * factor + factor) {
                        let base = row * sourceWidth
                        for x in 0..<outWidth {
                            var sum: UInt32 = 0
                            let start = base + x * factor
                            for dx in 0..<factor { sum &+= UInt32(input[start + dx]) }
                            sums[x] &+= sum
                        }
                    }
                    for x in 0..<outWidth {
                        output[y * outWidth + x] = UInt8(truncatingIfNeeded: (sums[x] + area / 2) / area)
                    }
                }
            }
            count = outWidth * outHeight
        }
        return Image(width: outWidth, height: outHeight, format: .gray, pixels: pixels)
    }

    /// Bilinear resize of a gray image to exactly `newWidth`×`newHeight`.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        precondition(format == .gray, "resized(width:height:) takes a gray image")
        precondition(newWidth > 0 && newHeight > 0, "empty target size")
        let scaleX = Float(width) / Float(newWidth)
        let scaleY = Float(height) / Float(newHeight)
        return sampled(width: newWidth, height: newHeight) { x, y in
            ((Float(x) + 0.5) * scaleX - 0.5, (Float(y) + 0.5) * scaleY - 0.5)
        }
    }

    /// A gray image whose pixel (x, y) is this image sampled bilinearly at `position(x, y)`;
    /// positions outside are clamped to the border.
    public func sampled(width newWidth: Int, height newHeight: Int, at position: (Int, Int) -> (Float, Float))
        -> Image
    {
        precondition(format == .gray, "sampled takes a gray image")
        let grid = BilinearGrid(width: width, height: height)
        let pixels = [UInt8](unsafeUninitializedCapacity: newWidth * newHeight) { output, count in
            self.pixels.withUnsafeBufferPointer { input in
                for y in 0..<newHeight {
                    for x in 0..<newWidth {
                        let tap = grid.tap(position(x, y))
                        output[y * newWidth + x] = UInt8(tap.blend { Float(input[$0]) } + 0.5)
                    }
                }
            }
            count = newWidth * newHeight
        }
        return Image(width: newWidth, height: newHeight, format: .gray, pixels: pixels)
    }
}

/// Bilinear sampling positions on a pixel grid, clamped to its edges.
struct BilinearGrid {
    let width: Int
    let height: Int

    /// The four neighbouring pixel indices of a position and the weights between them.
    struct Tap {
        let topLeft: Int
        let topRight: Int
        let bottomLeft: Int
        let bottomRight: Int
        let fx: Float
        let fy: Float

        /// The weighted mix of a value read at the four indices.
        @inline(__always)
        func blend(_ value: (Int) -> Float) -> Float {
            let top = value(topLeft) * (1 - fx) + value(topRight) * fx
            let bottom = value(bottomLeft) * (1 - fx) + value(bottomRight) * fx
            return top * (1 - fy) + bottom * fy
        }
    }

    @inline(__always)
    func tap(_ position: (Float, Float)) -> Tap {
        let sx = min(max(position.0, 0), Float(width - 1))
        let sy = min(max(position.1, 0), Float(height - 1))
        let x0 = Int(sx)
        let y0 = Int(sy)
        let x1 = min(x0 + 1, width - 1)
        let y1 = min(y0 + 1, height - 1)
        return Tap(
            topLeft: y0 * width + x0, topRight: y0 * width + x1, bottomLeft: y1 * width + x0,
            bottomRight: y1 * width + x1, fx: sx - Float(x0), fy: sy - Float(y0))
    }
}
