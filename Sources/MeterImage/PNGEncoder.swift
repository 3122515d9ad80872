internal import CCodecs

/// Why an image could not be encoded (in practice only when memory runs out).
public struct EncodeError: Error, Sendable, CustomStringConvertible {
    /// libpng's message.
    public let description: String
}

extension Image {
    /// PNG bytes of this image, for debug and audit pictures.
    public func pngData(compressionLevel: Int = 6) throws(EncodeError) -> [UInt8] {
        guard width > 0, height > 0 else { throw EncodeError(description: "empty image") }
        var data: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer { pixels in
            CCodecs_png_encode(
                pixels.baseAddress, UInt32(width), UInt32(height), Int32(format.channels),
                Int32(compressionLevel), &data, &size, &message, message.count)
        }
        defer { CCodecs_free(data) }
        guard status == CCODECS_OK, let data else {
            throw EncodeError(description: String(decoding: message.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
        }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }
}
