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
    @inlinable
    public func sampled(width newWidth: Int, height newHeight: Int, at position: (Int, Int) -> (Float, Float))
        -> Image
    {
        precondition(format == .gray, "sampled takes a gray image")
        let w = width
        let h = height
        let maxX = Float(w - 1)
        let maxY = Float(h - 1)
        let pixels = [UInt8](unsafeUninitializedCapacity: newWidth * newHeight) { output, count in
            self.pixels.withUnsafeBufferPointer { input in
                for y in 0..<newHeight {
                    for x in 0..<newWidth {
                        var (sx, sy) = position(x, y)
                        sx = min(max(sx, 0), maxX)
                        sy = min(max(sy, 0), maxY)
                        let x0 = Int(sx)
                        let y0 = Int(sy)
                        let x1 = min(x0 + 1, w - 1)
                        let y1 = min(y0 + 1, h - 1)
                        let fx = sx - Float(x0)
                        let fy = sy - Float(y0)
                        let top = Float(input[y0 * w + x0]) * (1 - fx) + Float(input[y0 * w + x1]) * fx
                        let bottom = Float(input[y1 * w + x0]) * (1 - fx) + Float(input[y1 * w + x1]) * fx
                        output[y * newWidth + x] = UInt8(top * (1 - fy) + bottom * fy + 0.5)
                    }
                }
            }
            count = newWidth * newHeight
        }
        return Image(width: newWidth, height: newHeight, format: .gray, pixels: pixels)
    }
}
