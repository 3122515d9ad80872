public import MeterImage

/// Gray and "redness" planes of a picture: redness tells red fraction drums and red frames
/// apart from black and white ones, which gray alone cannot.
public struct ColorPlanes: Sendable {
    /// Luminance (BT.601 weights, as libjpeg's gray output).
    public var gray: Image
    /// How much red dominates green and blue: 2·R − G − B clamped to 0…255 (0 for grays).
    public var redness: Image

    /// Splits an RGB picture; a gray picture gets an all-zero redness plane.
    public init(_ image: Image) {
        let count = image.width * image.height
        if image.format == .gray {
            gray = image
            redness = Image(width: image.width, height: image.height, format: .gray, filledWith: 0)
            return
        }
        var grayPixels = [UInt8](repeating: 0, count: count)
        var redPixels = [UInt8](repeating: 0, count: count)
        image.pixels.withUnsafeBufferPointer { rgb in
            grayPixels.withUnsafeMutableBufferPointer { gray in
                redPixels.withUnsafeMutableBufferPointer { red in
                    for index in 0..<count {
                        let r = Int32(rgb[3 * index])
                        let g = Int32(rgb[3 * index + 1])
                        let b = Int32(rgb[3 * index + 2])
                        gray[index] = UInt8(truncatingIfNeeded: (r * 77 + g * 150 + b * 29 + 128) >> 8)
                        let dominance = 2 * r - g - b
                        red[index] = UInt8(truncatingIfNeeded: min(max(dominance, 0), 255))
                    }
                }
            }
        }
        gray = Image(width: image.width, height: image.height, format: .gray, pixels: grayPixels)
        redness = Image(width: image.width, height: image.height, format: .gray, pixels: redPixels)
    }
}
