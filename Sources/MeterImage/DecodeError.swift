/// Why a photo could not be decoded. Every case carries what a person needs to act on it.
public enum DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Zero bytes.
    case empty
    /// Neither JPEG nor PNG; the payload names what the bytes looked like ("GIF image", "text").
    case unsupportedFormat(String)
    /// The file is larger than the configured byte limit.
    case fileTooLarge(bytes: Int, limit: Int)
    /// The header announces more pixels than the configured limit (checked before allocating).
    case tooManyPixels(width: Int, height: Int, limitMegapixels: Double)
    /// The data ends before the image does (the library's message).
    case truncated(String)
    /// The data is damaged (the library's message).
    case corrupt(String)
    /// A valid file in a colour model MeterScan does not decode.
    case unsupportedContent(String)
    /// A progressive JPEG with more scans than allowed.
    case tooManyScans(limit: Int)
    /// Memory could not be had for the decode.
    case outOfMemory(String)

    /// A one-line message for logs and results.
    public var description: String {
        switch self {
        case .empty:
            return "empty file"
        case .unsupportedFormat(let what):
            return "unsupported format: \(what) (expected JPEG or PNG)"
        case .fileTooLarge(let bytes, let limit):
            return "file too large: \(bytes) bytes (limit \(limit) bytes)"
        case .tooManyPixels(let width, let height, let limit):
            let megapixels = (Double(width) * Double(height) / 1_000_000 * 10).rounded() / 10
            return "image too large: \(width)×\(height) is \(megapixels) megapixels (limit \(limit))"
        case .truncated(let message):
            return "truncated file: \(message)"
        case .corrupt(let message):
            return "corrupt image data: \(message)"
        case .unsupportedContent(let message):
            return "unsupported image: \(message)"
        case .tooManyScans(let limit):
            return "progressive JPEG has more than \(limit) scans"
        case .outOfMemory(let message):
            return "out of memory: \(message)"
        }
    }

    /// A stable machine code for the kind of failure.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .unsupportedFormat: "unsupported_format"
        case .fileTooLarge: "file_too_large"
        case .tooManyPixels: "too_many_pixels"
        case .truncated: "truncated"
        case .corrupt: "corrupt"
        case .unsupportedContent: "unsupported_content"
        case .tooManyScans: "too_many_scans"
        case .outOfMemory: "out_of_memory"
        }
    }
}
