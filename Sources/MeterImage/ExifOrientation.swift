/// Reads the EXIF orientation of a JPEG (first `Exif` APP1 segment) or PNG (`eXIf` chunk).
/// Anything missing, malformed or out of range means `.up`: a damaged tag must never cost a
/// reading, and the pixels are still decodable.
enum ExifOrientationReader {
    /// The orientation recorded in a JPEG's APP1 Exif segment.
    static func jpeg(_ bytes: UnsafeRawBufferPointer) -> Orientation {
        var position = 2  // after SOI
        while position + 4 <= bytes.count {
            guard bytes[position] == 0xFF else { return .up }
            let marker = bytes[position + 1]
            if marker == 0xFF {  // fill byte
                position += 1
                continue
            }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                position += 2
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return .up }  // image data: no more headers
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            guard length >= 2, position + 2 + length <= bytes.count else { return .up }
            let segment = UnsafeRawBufferPointer(
                rebasing: bytes[(position + 4)..<(position + 2 + length)])
            if marker == 0xE1, segment.starts(with: Array("Exif\0\0".utf8)) {
                return tiff(UnsafeRawBufferPointer(rebasing: segment[6...])) ?? .up
            }
            position += 2 + length
        }
        return .up
    }

    /// The orientation recorded in a PNG's `eXIf` chunk (PNG 1.5 / third edition).
    static func png(_ bytes: UnsafeRawBufferPointer) -> Orientation {
        var position = 8
        while position + 12 <= bytes.count {
            let length = Int(readUInt32(bytes, at: position, bigEndian: true))
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            let dataStart = position + 8
            guard length <= bytes.count - dataStart - 4 else { return .up }
            if type == "eXIf" {
                return tiff(UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + length)]))
                    ?? .up
            }
            if type == "IDAT" || type == "IEND" { return .up }
            position = dataStart + length + 4
        }
        return .up
    }

    /// Orientation tag (0x0112) of IFD0 in a TIFF structure, or nil.
    static func tiff(_ tiff: UnsafeRawBufferPointer) -> Orientation? {
        guard tiff.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default: return nil
        }
        guard readUInt16(tiff, at: 2, bigEndian: bigEndian) == 42 else { return nil }
        let ifd = Int(readUInt32(tiff, at: 4, bigEndian: bigEndian))
        guard ifd >= 8, ifd <= tiff.count - 2 else { return nil }
        let entries = Int(readUInt16(tiff, at: ifd, bigEndian: bigEndian))
        for index in 0..<entries {
            let entry = ifd + 2 + index * 12
            guard entry + 12 <= tiff.count else { return nil }
            guard readUInt16(tiff, at: entry, bigEndian: bigEndian) == 0x0112 else { continue }
            let type = readUInt16(tiff, at: entry + 2, bigEndian: bigEndian)
            let value: Int
            switch type {
            case 3: value = Int(readUInt16(tiff, at: entry + 8, bigEndian: bigEndian))  // SHORT
            case 4: value = Int(readUInt32(tiff, at: entry + 8, bigEndian: bigEndian))  // LONG
            default: return nil
            }
            return Orientation(rawValue: value)
        }
        return nil
    }

    private static func readUInt16(_ bytes: UnsafeRawBufferPointer, at offset: Int, bigEndian: Bool)
        -> UInt16
    {
        let first = UInt16(bytes[offset])
        let second = UInt16(bytes[offset + 1])
        return bigEndian ? first << 8 | second : second << 8 | first
    }

    private static func readUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int, bigEndian: Bool)
        -> UInt32
    {
        let high = UInt32(readUInt16(bytes, at: offset, bigEndian: bigEndian))
        let low = UInt32(readUInt16(bytes, at: offset + 2, bigEndian: bigEndian))
        return bigEndian ? high << 16 | low : low << 16 | high
    }
}
