/// The container format of an encoded photo, as recognised from its first bytes.
public enum ImageFormat: String, Sendable, Hashable, Codable {
    /// JPEG (JFIF or Exif), decoded by libjpeg-turbo.
    case jpeg
    /// PNG, decoded by libpng.
    case png

    /// The format the first bytes announce, or nil for anything MeterScan does not decode.
    /// Needs at most the first 8 bytes.
    public init?(magic bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(8))
        let recognised: SniffedFormat = head.withUnsafeBytes { sniffFormat($0) }
        switch recognised {
        case .jpeg: self = .jpeg
        case .png: self = .png
        case .other: return nil
        }
    }
}

/// EXIF orientation: how the stored pixels must be turned to appear upright (TIFF tag 0x0112).
public enum Orientation: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Stored upright.
    case up = 1
    /// Mirrored left to right.
    case upMirrored = 2
    /// Upside down.
    case down = 3
    /// Upside down and mirrored (mirrored top to bottom).
    case downMirrored = 4
    /// Mirrored along the main diagonal (transposed).
    case leftMirrored = 5
    /// Stored turned 90° counter-clockwise: turn 90° clockwise to view.
    case right = 6
    /// Mirrored along the anti-diagonal (transversed).
    case rightMirrored = 7
    /// Stored turned 90° clockwise: turn 90° counter-clockwise to view.
    case left = 8

    /// Whether width and height swap when the orientation is applied.
    public var swapsAxes: Bool { rawValue >= 5 }
}

/// A decoded photo: upright pixels plus what is known about the file they came from.
public struct Photo: Sendable {
    /// Upright pixels, possibly DCT-downscaled (see `scale`).
    public var image: Image
    /// Container format of the source bytes.
    public let format: ImageFormat
    /// Upright width of the full-size picture in the file.
    public let originalWidth: Int
    /// Upright height of the full-size picture in the file.
    public let originalHeight: Int
    /// The EXIF orientation that was applied (`.up` when the file had none).
    public let orientation: Orientation
    /// Downscale factor applied while decoding: 1, 2, 4 or 8 (always 1 for PNG).
    public let scale: Int
    /// Progressive JPEG (slower to decode and not sped up much by scaling).
    public let progressive: Bool

    /// Megapixels of the full-size picture.
    public var megapixels: Double { Double(originalWidth * originalHeight) / 1_000_000 }
}
