/// Decodes a JPEG or PNG from memory into an upright `Photo`.
///
/// The format comes from the magic bytes. Size limits are checked from the header before any
/// pixel memory is allocated. JPEGs are decoded strictly: a truncated or damaged file is an
/// error, never a picture padded with gray.
public func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions = DecodeOptions())
    throws(DecodeError) -> Photo
{
    guard !bytes.isEmpty else { throw .empty }
    guard bytes.count <= options.maxFileBytes else {
        throw .fileTooLarge(bytes: bytes.count, limit: options.maxFileBytes)
    }
    switch sniffFormat(bytes) {
    case .jpeg: return try decodeJPEG(bytes, options: options)
    case .png: return try decodePNG(bytes, options: options)
    case .other(let description): throw .unsupportedFormat(description)
    }
}

/// Decodes a JPEG or PNG held in an array; see `decode(_:options:)`.
public func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws(DecodeError)
    -> Photo
{
    let result: Result<Photo, DecodeError> = bytes.withUnsafeBytes { raw in
        do throws(DecodeError) { return .success(try decode(raw, options: options)) } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

private func checkPixelLimit(width: Int, height: Int, options: DecodeOptions) throws(DecodeError) {
    if width.multipliedReportingOverflow(by: height).partialValue > options.maxPixels {
        throw .tooManyPixels(
            width: width, height: height, limitMegapixels: Double(options.maxPixels) / 1_000_000)
    }
}

private func decodeJPEG(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(DecodeError)
    -> Photo
{
    // Room for a progressive file's whole coefficient buffer at the pixel limit, and then some.
    let maxMemory = options.maxPixels * 6 + (64 << 20)
    let decoder = try JPEGDecoder(
        bytes: bytes, maxScans: options.maxProgressiveScans, maxMemory: maxMemory)
    let header = try decoder.readHeader()
    try checkPixelLimit(width: header.width, height: header.height, options: options)
    let orientation = ExifOrientationReader.jpeg(bytes)
    let (uprightWidth, uprightHeight) =
        orientation.swapsAxes ? (header.height, header.width) : (header.width, header.height)
    let scale = options.scaleDenominator(uprightWidth: uprightWidth, uprightHeight: uprightHeight)
    let stored = try decoder.decode(scale: scale, format: options.pixelFormat)
    return Photo(
        image: stored.applying(orientation), format: .jpeg, originalWidth: uprightWidth,
        originalHeight: uprightHeight, orientation: orientation, scale: scale,
        progressive: header.progressive)
}

private func decodePNG(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(DecodeError)
    -> Photo
{
    let decoder = try PNGDecoder(bytes: bytes, maxDimension: min(options.maxPixels, 0x7FFF_FFFF))
    let header = try decoder.readHeader()
    try checkPixelLimit(width: header.width, height: header.height, options: options)
    let orientation = ExifOrientationReader.png(bytes)
    let stored = try decoder.decode(
        width: header.width, height: header.height, format: options.pixelFormat)
    let (uprightWidth, uprightHeight) =
        orientation.swapsAxes ? (header.height, header.width) : (header.width, header.height)
    return Photo(
        image: stored.applying(orientation), format: .png, originalWidth: uprightWidth,
        originalHeight: uprightHeight, orientation: orientation, scale: 1, progressive: false)
}
