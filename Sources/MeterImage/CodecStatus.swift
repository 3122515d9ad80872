internal import CCodecs

/// The one place where a CCodecs status becomes a Swift error.
func checkCodec(_ status: CCodecsStatus, message: UnsafePointer<CChar>) throws(DecodeError) {
    let text = String(cString: message)
    switch status {
    case CCODECS_OK: return
    case CCODECS_TRUNCATED: throw .truncated(text)
    case CCODECS_UNSUPPORTED: throw .unsupportedContent(text)
    case CCODECS_NO_MEMORY: throw .outOfMemory(text)
    case CCODECS_MISUSE: preconditionFailure("CCodecs called out of order: \(text)")
    default: throw .corrupt(text)
    }
}
