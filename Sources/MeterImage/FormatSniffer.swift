/// What the first bytes of a file say it is.
enum SniffedFormat: Equatable {
    case jpeg
    case png
    /// Not something we decode; the payload says what it looked like, for the error message.
    case other(String)
}

/// Recognises a file by its magic bytes, never by its name.
func sniffFormat(_ bytes: UnsafeRawBufferPointer) -> SniffedFormat {
    func starts(with prefix: [UInt8], at offset: Int = 0) -> Bool {
        guard bytes.count >= offset + prefix.count else { return false }
        for (index, byte) in prefix.enumerated() where bytes[offset + index] != byte {
            return false
        }
        return true
    }
    if starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
    if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
    if starts(with: Array("GIF8".utf8)) { return .other("GIF image") }
    if starts(with: Array("%PDF".utf8)) { return .other("PDF document") }
    if starts(with: Array("RIFF".utf8)) && starts(with: Array("WEBP".utf8), at: 8) {
        return .other("WebP image")
    }
    if starts(with: Array("ftyp".utf8), at: 4), bytes.count >= 12 {
        let brand = String(decoding: bytes[8..<12], as: UTF8.self)
        switch brand {
        case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
            return .other("HEIC/HEIF image (\(brand))")
        case "avif", "avis":
            return .other("AVIF image")
        default:
            return .other("ISO media file (\(brand.trimmingNonPrintable()))")
        }
    }
    if starts(with: [0x42, 0x4D]) && bytes.count >= 26 { return .other("BMP image") }
    if starts(with: [0x49, 0x49, 0x2A, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
        return .other("TIFF image")
    }
    if starts(with: [0xFF, 0x0A]) || starts(with: [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C]) {
        return .other("JPEG XL image")
    }
    if starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .other("ZIP archive") }
    if starts(with: [0xFF, 0xD8]) { return .other("damaged JPEG (no marker after SOI)") }
    if looksLikeText(bytes) { return .other("text") }
    let head = bytes.prefix(4).map { byte in
        let hex = String(byte, radix: 16)
        return hex.count == 1 ? "0" + hex : hex
    }
    return .other("unknown binary data (starts with \(head.joined(separator: " ")))")
}

/// Text if the first kilobyte is valid UTF-8 without control bytes other than white space.
private func looksLikeText(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let head = Array(bytes.prefix(1024))
    let controls = head.filter { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    guard controls.isEmpty else { return false }
    // A cut in the middle of a multi-byte character at the end is still text.
    var decoded = head
    while let last = decoded.last, last >= 0x80, String(validating: decoded, as: UTF8.self) == nil,
        head.count - decoded.count < 4
    {
        decoded.removeLast()
    }
    return String(validating: decoded, as: UTF8.self) != nil
}

extension String {
    fileprivate func trimmingNonPrintable() -> String {
        String(unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F })
    }
}
