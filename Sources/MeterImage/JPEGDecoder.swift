internal import CCodecs

/// Owns one libjpeg decompressor over bytes that outlive it; freed in `deinit` only.
final class JPEGDecoder {
    /// What the header says about the stored (not yet oriented) picture.
    struct Header {
        let width: Int
        let height: Int
        let progressive: Bool
    }

    private let handle: OpaquePointer
    private let maxScans: Int

    init(bytes: UnsafeRawBufferPointer, maxScans: Int, maxMemory: Int) throws(DecodeError) {
        guard
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
            let handle = CCodecs_jpeg_create(
                base, bytes.count, UInt32(clamping: maxScans), maxMemory)
        else { throw .outOfMemory("cannot create JPEG decoder") }
        self.handle = handle
        self.maxScans = maxScans
    }

    deinit { CCodecs_jpeg_destroy(handle) }

    func readHeader() throws(DecodeError) -> Header {
        var header = CCodecsJPEGHeader()
        try checkCodec(CCodecs_jpeg_read_header(handle, &header), message: CCodecs_jpeg_message(handle))
        return Header(
            width: Int(header.width), height: Int(header.height),
            progressive: header.progressive != 0)
    }

    /// Decodes the whole picture at 1/`scale` into packed pixels of `format`.
    func decode(scale: Int, format: PixelFormat) throws(DecodeError) -> Image {
        var width: UInt32 = 0
        var height: UInt32 = 0
        // Progressive files are read whole while starting, so the scan limit trips here.
        let started = CCodecs_jpeg_start(handle, Int32(scale), Int32(format.channels), &width, &height)
        if started == CCODECS_TOO_MANY_SCANS { throw .tooManyScans(limit: maxScans) }
        try checkCodec(started, message: CCodecs_jpeg_message(handle))
        let rowBytes = Int(width) * format.channels
        var status = CCODECS_OK
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * Int(height)) { buffer, count in
            status = CCodecs_jpeg_read_pixels(handle, buffer.baseAddress!, rowBytes)
            count = status == CCODECS_OK ? buffer.count : 0
        }
        try checkCodec(status, message: CCodecs_jpeg_message(handle))
        return Image(width: Int(width), height: Int(height), format: format, pixels: pixels)
    }
}
