public import MeterImage

/// What `meterscan inspect` reports for one file.
public struct InspectionRecord: Sendable, Encodable {
    /// The path as given or found.
    public var file: String
    /// `jpeg`, `png`, or nil when undecodable.
    public var format: ImageFormat?
    /// Upright full-size width (after EXIF orientation).
    public var width: Int?
    /// Upright full-size height (after EXIF orientation).
    public var height: Int?
    /// EXIF orientation stored in the file, 1–8.
    public var orientation: Int?
    /// Full-size megapixels.
    public var megapixels: Double?
    /// Wall time of the decode alone, in milliseconds.
    public var decodeMilliseconds: Double?
    /// Size of the decoded pixels (smaller than width×height when DCT-scaled).
    public var decodedWidth: Int?
    /// See `decodedWidth`.
    public var decodedHeight: Int?
    /// DCT scale denominator used (1, 2, 4, 8).
    public var scale: Int?
    /// Whether the JPEG is progressive.
    public var progressive: Bool?
    /// File size in bytes, when it could be read.
    public var bytes: Int?
    /// The error message, or nil when the file decoded.
    public var error: String?
    /// Stable code for `error`.
    public var errorCode: String?

    enum CodingKeys: String, CodingKey {
        case file, format, width, height, orientation, megapixels, scale, progressive, bytes, error
        case decodeMilliseconds = "decode_ms"
        case decodedWidth = "decoded_width"
        case decodedHeight = "decoded_height"
        case errorCode = "error_code"
    }

    /// Encodes every field, absent values as `null`, so consumers see a fixed shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(format, forKey: .format)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(orientation, forKey: .orientation)
        try container.encode(megapixels, forKey: .megapixels)
        try container.encode(decodeMilliseconds, forKey: .decodeMilliseconds)
        try container.encode(decodedWidth, forKey: .decodedWidth)
        try container.encode(decodedHeight, forKey: .decodedHeight)
        try container.encode(scale, forKey: .scale)
        try container.encode(progressive, forKey: .progressive)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(error, forKey: .error)
        try container.encode(errorCode, forKey: .errorCode)
    }

    /// Whether the file decoded.
    public var succeeded: Bool { error == nil }
}

/// Reads and decodes files one at a time, timing the decode.
public struct PhotoInspector: Sendable {
    /// Limits and output choices passed to the decoder.
    public let options: DecodeOptions

    /// An inspector that decodes with `options`.
    public init(options: DecodeOptions) {
        self.options = options
    }

    /// The record for one entry of `InputFiles`.
    public func inspect(_ entry: InputFiles.Entry) -> InspectionRecord {
        switch entry {
        case .missing(let path):
            return failure(path, InputError.notFound(path), bytes: nil)
        case .file(let path):
            let bytes: [UInt8]
            do {
                bytes = try readPhotoFile(atPath: path, maxBytes: options.maxFileBytes)
            } catch {
                return failure(path, error, bytes: nil)
            }
            let clock = ContinuousClock()
            let started = clock.now
            let photo: Photo
            do {
                photo = try decode(bytes, options: options)
            } catch {
                return failure(path, .decode(error), bytes: bytes.count)
            }
            let elapsed = started.duration(to: clock.now)
            return InspectionRecord(
                file: path, format: photo.format, width: photo.originalWidth,
                height: photo.originalHeight, orientation: photo.orientation.rawValue,
                megapixels: (photo.megapixels * 100).rounded() / 100,
                decodeMilliseconds: (milliseconds(elapsed) * 100).rounded() / 100,
                decodedWidth: photo.image.width, decodedHeight: photo.image.height,
                scale: photo.scale, progressive: photo.progressive, bytes: bytes.count,
                error: nil, errorCode: nil)
        }
    }

    private func failure(_ path: String, _ error: InputError, bytes: Int?) -> InspectionRecord {
        InspectionRecord(
            file: path, format: nil, width: nil, height: nil, orientation: nil, megapixels: nil,
            decodeMilliseconds: nil, decodedWidth: nil, decodedHeight: nil, scale: nil,
            progressive: nil, bytes: bytes, error: error.description, errorCode: error.code)
    }
}

/// A duration in milliseconds as a Double.
func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}
