import Foundation

/// Turns one stdin line of `meterscan pipe` into normalized messages, detecting the shape (our
/// envelope, signal-cli, WhatsApp Cloud API, Telegram Bot API) and confining photo files to the
/// configured directories.
public struct GatewayParser: Sendable {
    /// `--media-dir`: our envelope's `image_path`, WhatsApp and Telegram media.
    public var mediaDirectory: String?
    /// `--signal-attachments`: signal-cli's attachment directory.
    public var signalAttachments: String?
    /// The largest decoded `image_base64` accepted, in bytes.
    public var maxImageBytes: Int

    /// A parser reading photos only from the given directories (nil: that source is refused).
    public init(mediaDirectory: String?, signalAttachments: String?, maxImageBytes: Int = 40 << 20) {
        self.mediaDirectory = mediaDirectory
        self.signalAttachments = signalAttachments
        self.maxImageBytes = maxImageBytes
    }

    /// Parses one input line; the shape is detected automatically. May return several messages
    /// (a WhatsApp webhook batch) or none (e.g. a WhatsApp status-only webhook, a signal
    /// receipt/typing envelope without dataMessage).
    public func parse(_ line: String) throws(GatewayError) -> [GatewayMessage] {
        let object = try Self.jsonObject(line)
        if object["jsonrpc"] != nil { return try parseSignalRPC(object) }
        if object["envelope"] != nil { return try parseSignal(object) }
        if object["entry"] != nil || object["object"] != nil { return try parseWhatsApp(object) }
        if object["update_id"] != nil { return try parseTelegram(object) }
        if !Self.envelopeKeys.isDisjoint(with: object.keys) { return try [parseEnvelope(object)] }
        throw GatewayError("unrecognised message shape: keys \(JSONValue.printableKeys(object))")
    }

    /// Keys that mark our own envelope when no messenger shape matched.
    static let envelopeKeys: Set<String> = [
        "image_path", "image_base64", "images", "received_at", "channel", "sender", "meter", "caption",
    ]

    /// The line as a JSON object; the error names only the position, never the content.
    static func jsonObject(_ line: String) throws(GatewayError) -> JSONObject {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw GatewayError("empty line") }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
            // Only the position: the debug text may quote a character of the line.
            if let match = detail.firstMatch(of: /(character|line|column) \d+(, column \d+)?/) {
                throw GatewayError("line is not JSON (error around \(match.output.0))")
            }
            throw GatewayError("line is not JSON")
        }
        guard let object = value as? JSONObject else {
            let kind =
                switch value {
                case is [Any]: "an array"
                case is String: "a string"
                case is NSNull: "null"
                default: "a number or boolean"
                }
            throw GatewayError("line is JSON but \(kind), not an object")
        }
        return object
    }

    var media: ConfinedDirectory? {
        mediaDirectory.map { ConfinedDirectory(option: "--media-dir", path: $0) }
    }

    var signalDirectory: ConfinedDirectory? {
        signalAttachments.map { ConfinedDirectory(option: "--signal-attachments", path: $0) }
    }

    /// Looks a messenger media id up in --media-dir (WhatsApp, Telegram).
    func mediaFile(id: String?, what: String, contentType: String?, extensionHint: String? = nil) -> GatewayPhoto {
        guard let id else { return GatewayPhoto(source: .refused("\(what) is missing"), contentType: contentType) }
        guard let media else {
            return GatewayPhoto(source: .refused("--media-dir is not configured"), contentType: contentType)
        }
        var extensions = [fileExtension(forContentType: contentType)]
        if let extensionHint, !extensionHint.isEmpty { extensions.insert(extensionHint, at: 0) }
        let source = media.lookUp(id: id, what: what, extensions: extensions, exactFirst: false)
        return GatewayPhoto(source: source, contentType: contentType)
    }
}

// MARK: - Our envelope

extension GatewayParser {
    func parseEnvelope(_ object: JSONObject) throws(GatewayError) -> GatewayMessage {
        var photos: [GatewayPhoto] = []
        if object["image_path"] != nil || object["image_base64"] != nil {
            photos.append(try envelopePhoto(object, at: ""))
        }
        if let images = object["images"], !(images is NSNull) {
            guard let list = images as? [Any] else { throw GatewayError("images must be an array") }
            for (index, item) in list.enumerated() {
                guard let image = item as? JSONObject else { throw GatewayError("images[\(index)] must be an object") }
                photos.append(try envelopePhoto(image, at: "images[\(index)]."))
            }
        }
        return GatewayMessage(
            id: try Self.field(object, "id", allowNumber: true),
            channel: try Self.field(object, "channel") ?? "gateway",
            sender: try Self.field(object, "sender", allowNumber: true),
            meter: try Self.field(object, "meter", allowNumber: true),
            caption: try Self.field(object, "caption"),
            receivedAt: try Self.receivedAt(object["received_at"]),
            photos: photos)
    }

    /// Our own format is strict: a wrong type is the gateway's bug and should show.
    static func field(_ object: JSONObject, _ key: String, allowNumber: Bool = false) throws(GatewayError) -> String? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let text as String: return text.isEmpty ? nil : text
        case let number as NSNumber where allowNumber: return number.stringValue
        default: throw GatewayError("\(key) must be a string")
        }
    }

    static func receivedAt(_ value: Any?) throws(GatewayError) -> Date? {
        switch value {
        case nil, is NSNull: return nil
        case let text as String:
            if let date = try? Date(text, strategy: .iso8601) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
                return date
            }
            throw GatewayError("received_at is not an ISO 8601 date")
        case let number as NSNumber: return Date(timeIntervalSince1970: number.doubleValue)
        default: throw GatewayError("received_at is not an ISO 8601 date")
        }
    }

    func envelopePhoto(_ object: JSONObject, at prefix: String) throws(GatewayError) -> GatewayPhoto {
        let path = object["image_path"].flatMap { $0 is NSNull ? nil : $0 }
        let base64 = object["image_base64"].flatMap { $0 is NSNull ? nil : $0 }
        var contentType = try Self.field(object, "content_type")
        switch (path, base64) {
        case (nil, nil):
            throw GatewayError("\(prefix.isEmpty ? "envelope" : String(prefix.dropLast())) has neither image_path nor image_base64")
        case (.some, .some):
            throw GatewayError("\(prefix)image_path and \(prefix)image_base64 are both given")
        case (let path?, nil):
            guard let path = path as? String else { throw GatewayError("\(prefix)image_path must be a string") }
            guard let media else {
                return GatewayPhoto(source: .refused("image_path needs --media-dir"), contentType: contentType)
            }
            return GatewayPhoto(source: media.resolve(path, field: "\(prefix)image_path"), contentType: contentType)
        case (nil, let base64?):
            guard let base64 = base64 as? String else { throw GatewayError("\(prefix)image_base64 must be a string") }
            let (source, declared) = decodeBase64(base64, field: "\(prefix)image_base64")
            if contentType == nil { contentType = declared }
            return GatewayPhoto(source: source, contentType: contentType)
        }
    }

    /// Standard or URL-safe base64, padded or not, with line breaks, or a `data:` URL; the size
    /// is checked before anything is decoded.
    func decodeBase64(_ text: String, field: String) -> (PhotoSource, contentType: String?) {
        var body = Substring(text)
        var contentType: String?
        if body.hasPrefix("data:") {
            guard let comma = body.firstIndex(of: ","), body[..<comma].hasSuffix(";base64") else {
                return (.refused("\(field) is a data URL without ;base64"), nil)
            }
            let type = body[body.index(body.startIndex, offsetBy: 5)..<comma].dropLast(";base64".count)
            contentType = type.isEmpty ? nil : String(type)
            body = body[body.index(after: comma)...]
        }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(body.utf8.count)
        for byte in body.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            case UInt8(ascii: "-"): encoded.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): encoded.append(UInt8(ascii: "/"))
            default: encoded.append(byte)
            }
        }
        if encoded.isEmpty { return (.refused("\(field) is empty"), contentType) }
        let padding = encoded.suffix(2).reversed().prefix { $0 == UInt8(ascii: "=") }.count
        let size = (encoded.count - padding) * 3 / 4
        if size > maxImageBytes {
            return (.refused("\(field) is \(size) bytes, more than the limit of \(maxImageBytes)"), contentType)
        }
        switch encoded.count % 4 {
        case 2: encoded.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")])
        case 3: encoded.append(UInt8(ascii: "="))
        default: break
        }
        guard let data = Data(base64Encoded: Data(encoded)) else {
            return (.refused("\(field) is not valid base64"), contentType)
        }
        if data.isEmpty { return (.refused("\(field) is empty"), contentType) }
        return (.bytes([UInt8](data)), contentType)
    }
}
