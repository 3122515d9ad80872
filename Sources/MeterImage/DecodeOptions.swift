/// Limits and output choices for `decode`.
public struct DecodeOptions: Sendable, Hashable {
    /// Refuse files larger than this many bytes (default 40 MiB).
    public var maxFileBytes: Int
    /// Refuse pictures with more pixels than this (default 50 megapixels), read from the header.
    public var maxPixels: Int
    /// Refuse progressive JPEGs with more scans than this.
    public var maxProgressiveScans: Int
    /// Gray or RGB output.
    public var pixelFormat: PixelFormat
    /// Smallest acceptable upright output size; a JPEG is then downscaled in the DCT domain by
    /// the largest of 1/2, 1/4, 1/8 that keeps both sides at least this big. `nil`: full size.
    public var minimumSize: (width: Int, height: Int)?

    /// Defaults: 40 MiB, 50 megapixels, 100 scans, RGB, full size.
    public init(
        maxFileBytes: Int = 40 << 20,
        maxPixels: Int = 50_000_000,
        maxProgressiveScans: Int = 100,
        pixelFormat: PixelFormat = .rgb,
        minimumSize: (width: Int, height: Int)? = nil
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxPixels = maxPixels
        self.maxProgressiveScans = maxProgressiveScans
        self.pixelFormat = pixelFormat
        self.minimumSize = minimumSize
    }

    /// Equal when every limit and choice is equal (tuples are not `Equatable` by themselves).
    public static func == (lhs: DecodeOptions, rhs: DecodeOptions) -> Bool {
        lhs.maxFileBytes == rhs.maxFileBytes && lhs.maxPixels == rhs.maxPixels
            && lhs.maxProgressiveScans == rhs.maxProgressiveScans
            && lhs.pixelFormat == rhs.pixelFormat
            && lhs.minimumSize?.width == rhs.minimumSize?.width
            && lhs.minimumSize?.height == rhs.minimumSize?.height
    }

    /// Hashes the same fields `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(maxFileBytes)
        hasher.combine(maxPixels)
        hasher.combine(maxProgressiveScans)
        hasher.combine(pixelFormat)
        hasher.combine(minimumSize?.width)
        hasher.combine(minimumSize?.height)
    }

    /// The DCT scale denominator (1, 2, 4 or 8) for a picture of the given upright size.
    func scaleDenominator(uprightWidth: Int, uprightHeight: Int) -> Int {
        guard let minimum = minimumSize else { return 1 }
        var chosen = 1
        for denominator in [2, 4, 8] {
            // libjpeg rounds scaled sizes up.
            let width = (uprightWidth + denominator - 1) / denominator
            let height = (uprightHeight + denominator - 1) / denominator
            if width >= minimum.width && height >= minimum.height { chosen = denominator }
        }
        return chosen
    }
}
