import Foundation
public import MeterImage

/// Why one input item could not be turned into a photo.
public enum InputError: Error, Sendable, CustomStringConvertible {
    /// The path does not exist.
    case notFound(String)
    /// The path exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// The bytes were read but are not a decodable photo.
    case decode(DecodeError)

    /// A one-line message for results and logs.
    public var description: String {
        switch self {
        case .notFound(let path): "no such file: \(path)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .decode(let error): error.description
        }
    }

    /// A stable machine code.
    public var code: String {
        switch self {
        case .notFound: "not_found"
        case .unreadable: "unreadable"
        case .decode(let error): error.code
        }
    }
}

/// Reads a photo file into memory, refusing files over `maxBytes` before reading them.
public func readPhotoFile(atPath path: String, maxBytes: Int) throws(InputError) -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw .notFound(path)
    }
    if isDirectory.boolValue { throw .unreadable(path: path, reason: "is a directory") }
    let handle: FileHandle
    do {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    } catch {
        if !FileManager.default.fileExists(atPath: path) { throw .notFound(path) }
        throw .unreadable(path: path, reason: describe(error))
    }
    defer { try? handle.close() }
    do {
        let size = try handle.seekToEnd()
        if size > UInt64(maxBytes) {
            throw InputError.decode(.fileTooLarge(bytes: Int(clamping: size), limit: maxBytes))
        }
        try handle.seek(toOffset: 0)
        // One byte past the limit tells a file that grew since the size check.
        let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        if data.count > maxBytes {
            throw InputError.decode(.fileTooLarge(bytes: data.count, limit: maxBytes))
        }
        return [UInt8](data)
    } catch let error as InputError {
        throw error
    } catch {
        throw .unreadable(path: path, reason: describe(error))
    }
}

private func describe(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
        underlying.domain == NSPOSIXErrorDomain
    {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
    return nsError.localizedDescription
}
