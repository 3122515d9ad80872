extension Image {
    /// The picture as a viewer shows it when the file carries `orientation`.
    public func applying(_ orientation: Orientation) -> Image {
        if orientation == .up { return self }
        let (width, height) = orientation.swapsAxes ? (self.height, self.width) : (self.width, self.height)
        // Walk the output row by row; each output row is a straight line through the source
        // with a fixed start and step (in pixels), so one loop serves all eight cases.
        let w = self.width
        let h = self.height
        let start: (Int) -> Int
        let step: Int
        switch orientation {
        case .up: start = { $0 * w }; step = 1
        case .upMirrored: start = { $0 * w + w - 1 }; step = -1
        case .down: start = { (h - 1 - $0) * w + w - 1 }; step = -1
        case .downMirrored: start = { (h - 1 - $0) * w }; step = 1
        case .leftMirrored: start = { $0 }; step = w
        case .right: start = { (h - 1) * w + $0 }; step = -w
        case .rightMirrored: start = { (h - 1) * w + (w - 1 - $0) }; step = -w
        case .left: start = { w - 1 - $0 }; step = w
        }
        let channels = format.channels
        let pixels = [UInt8](unsafeUninitializedCapacity: self.pixels.count) { output, count in
            self.pixels.withUnsafeBufferPointer { input in
                if orientation.swapsAxes {
                    Self.copyTiled(
                        input, into: output, width: width, height: height, channels: channels,
                        start: start, step: step)
                } else {
                    for y in 0..<height {
                        Self.copyLine(
                            input, from: start(y), step: step, into: output, at: y * width * channels,
                            count: width, channels: channels)
                    }
                }
            }
            count = self.pixels.count
        }
        return Image(width: width, height: height, format: format, pixels: pixels)
    }

    /// Column walks jump a whole source row per pixel; doing them in bands of output rows keeps
    /// the touched source rows in cache.
    private static func copyTiled(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
        width: Int, height: Int, channels: Int, start: (Int) -> Int, step: Int
    ) {
        let band = channels == 1 ? 32 : 16
        var x0 = 0
        while x0 < width {
            let span = min(band, width - x0)
            for y in 0..<height {
                copyLine(
                    input, from: start(y) + x0 * step, step: step, into: output,
                    at: (y * width + x0) * channels, count: span, channels: channels)
            }
            x0 += span
        }
    }

    @inline(__always)
    private static func copyLine(
        _ input: UnsafeBufferPointer<UInt8>, from source: Int, step: Int,
        into output: UnsafeMutableBufferPointer<UInt8>, at destination: Int, count: Int, channels: Int
    ) {
        guard count > 0, let inBase = input.baseAddress, let outBase = output.baseAddress else { return }
        if channels == 1 {
            var from = inBase + source
            let to = outBase + destination
            for i in 0..<count {
                to[i] = from.pointee
                from += step
            }
        } else {
            // Pointer steps instead of index arithmetic: three bytes per pixel, one jump per step.
            var from = inBase + source * 3
            var to = outBase + destination
            let jump = step * 3
            for _ in 0..<count {
                to[0] = from[0]
                to[1] = from[1]
                to[2] = from[2]
                to += 3
                from += jump
            }
        }
    }
}
