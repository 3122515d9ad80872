import MeterImage

/// libFuzzer entry point: every input goes through the public `decode`, like a citizen's photo.
/// The low bits of the length pick the output format and whether to DCT-scale, so one corpus
/// exercises every path of both decoders. Errors are the expected outcome; crashes, leaks and
/// sanitizer reports are the findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let options = DecodeOptions(
        maxPixels: 4_000_000,  // keeps each run fast; the limit path itself is still exercised
        pixelFormat: size & 1 == 0 ? .rgb : .gray,
        minimumSize: size & 2 == 0 ? nil : (16, 16))
    if let photo = try? decode(bytes, options: options) {
        precondition(
            photo.image.pixels.count == photo.image.width * photo.image.height * photo.image.format.channels)
    }
    return 0
}
