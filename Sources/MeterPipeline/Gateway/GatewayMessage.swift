public import Foundation

/// Where a photo's bytes come from.
public enum PhotoSource: Sendable, Hashable {
    /// A canonical absolute path already confined to a configured directory; it may not exist,
    /// so the reader reports "no such file" like for any other missing photo.
    case file(String)
    /// Bytes decoded from `image_base64`.
    case bytes([UInt8])
    /// A photo we will not read (outside the configured directories, a bad id, no directory
    /// configured, oversize base64 …); the message explains and becomes reason `bad_input`.
    case refused(String)
}

/// One image of a message.
public struct GatewayPhoto: Sendable, Hashable {
    /// Where the bytes come from.
    public var source: PhotoSource
    /// The MIME type the messenger declared, if any (a hint only: photos are decoded by content).
    public var contentType: String?

    /// A photo from `source`, declared as `contentType`.
    public init(source: PhotoSource, contentType: String? = nil) {
        self.source = source
        self.contentType = contentType
    }
}

/// One messenger message, normalized. `sender` is the raw phone number / messenger id: the
/// caller hashes it immediately and drops it; display names are never extracted at all.
public struct GatewayMessage: Sendable, Equatable {
    /// Our envelope's `id`; signal: the envelope timestamp; WhatsApp: `wamid…`;
    /// Telegram: "<chat id>:<message_id>".
    public var id: String?
    /// Our envelope's channel (default "gateway"), else "signal", "whatsapp" or "telegram".
    public var channel: String
    /// The raw phone number or messenger id, to be hashed at once by the caller.
    public var sender: String?
    /// The meter number; only our envelope carries one.
    public var meter: String?
    /// The text sent along with the photo, or the text of a text-only message.
    public var caption: String?
    /// When the messenger received the message.
    public var receivedAt: Date?
    /// The images, in message order; empty for a text-only message (reason `no_image`).
    public var photos: [GatewayPhoto]

    /// A message with every field given.
    public init(
        id: String?, channel: String, sender: String?, meter: String? = nil, caption: String?,
        receivedAt: Date?, photos: [GatewayPhoto]
    ) {
        self.id = id
        self.channel = channel
        self.sender = sender
        self.meter = meter
        self.caption = caption
        self.receivedAt = receivedAt
        self.photos = photos
    }
}

/// Why a line could not be understood at all (caller emits one result with reason bad_input).
/// Descriptions name fields and key names only, never values: a value may be a phone number.
public struct GatewayError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A short message for the `bad_input` result.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
