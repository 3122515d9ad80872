internal import CCodecs

/// Owns one libpng reader over bytes that outlive it; freed in `deinit` only.
final class PNGDecoder {
    /// What the header says about the stored picture.
    struct Header {
        let width: Int
        let height: Int
    }

    private let handle: OpaquePointer

    init(bytes: UnsafeRawBufferPointer, maxDimension: Int) throws(DecodeError) {
        guard
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
            let handle = CCodecs_png_create(base, bytes.count, UInt32(clamping: maxDimension))
        else { throw .outOfMemory("cannot create PNG decoder") }
        self.handle = handle
    }

    deinit { CCodecs_png_destroy(handle) }

    func readHeader() throws(DecodeError) -> Header {
        var header = CCodecsPNGHeader()
        try checkCodec(CCodecs_png_read_header(handle, &header), message: CCodecs_png_message(handle))
        return Header(width: Int(header.width), height: Int(header.height))
    }

    /// Decodes all rows to 8-bit `format`, alpha composited on white.
    func decode(width: Int, height: Int, format: PixelFormat) throws(DecodeError) -> Image {
        var bufferBytes = 0
        try checkCodec(
            CCodecs_png_start(handle, Int32(format.channels), &bufferBytes),
            message: CCodecs_png_message(handle))
        let packedBytes = width * height * format.channels
        precondition(bufferBytes >= packedBytes, "libpng row buffer smaller than the image")
        var status = CCODECS_OK
        let pixels = [UInt8](unsafeUninitializedCapacity: bufferBytes) { buffer, count in
            status = CCodecs_png_read_pixels(handle, buffer.baseAddress!)
            // Rows were packed to the front; the tail held alpha and is dropped.
            count = status == CCODECS_OK ? packedBytes : 0
        }
        try checkCodec(status, message: CCodecs_png_message(handle))
        return Image(width: width, height: height, format: format, pixels: pixels)
    }
}
