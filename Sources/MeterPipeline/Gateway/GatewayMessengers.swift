import Foundation

// MARK: - signal-cli

extension GatewayParser {
    /// signal-cli `jsonRpc`/`daemon` output: `receive` notifications carry the same
    /// `{envelope, account}` as `-o json receive`, directly in `params` or, after
    /// `subscribeReceive`, in `params.result`.
    func parseSignalRPC(_ object: JSONObject) throws(GatewayError) -> [GatewayMessage] {
        // Responses to requests and other notifications are signal-cli's own traffic, not
        // messages from a citizen.
        guard JSONValue.string(object["method"]) == "receive" else { return [] }
        guard var params = JSONValue.object(object["params"]) else {
            throw GatewayError("signal-cli receive notification without params object")
        }
        if let result = JSONValue.object(params["result"]) { params = result }
        // A message signal-cli could not decrypt arrives as an exception without envelope.
        if params["envelope"] == nil, params["exception"] != nil { return [] }
        return try parseSignal(params)
    }

    /// A `signal-cli -o json receive` line.
    func parseSignal(_ object: JSONObject) throws(GatewayError) -> [GatewayMessage] {
        guard let envelope = JSONValue.object(object["envelope"]) else {
            throw GatewayError("signal-cli line: envelope is not an object")
        }
        // Receipts, typing notices, sync and story messages carry no dataMessage.
        guard
            let data = JSONValue.object(envelope["dataMessage"])
                ?? JSONValue.object(JSONValue.object(envelope["editMessage"])?["dataMessage"])
        else { return [] }
        let caption = JSONValue.string(data["message"])
        let attachments = JSONValue.objects(data["attachments"])
        // Reactions, deletions and group updates: nothing to answer.
        if caption == nil, attachments.isEmpty { return [] }
        var photos: [GatewayPhoto] = []
        for attachment in attachments {
            guard let contentType = JSONValue.string(attachment["contentType"]),
                contentType.lowercased().hasPrefix("image/")
            else { continue }
            photos.append(signalPhoto(id: JSONValue.identifier(attachment["id"]), contentType: contentType))
        }
        let timestamp = envelope["timestamp"] ?? data["timestamp"]
        return [
            GatewayMessage(
                id: JSONValue.identifier(timestamp),
                channel: "signal",
                sender: JSONValue.string(envelope["sourceNumber"]) ?? JSONValue.string(envelope["sourceUuid"])
                    ?? JSONValue.identifier(envelope["source"]),
                caption: caption,
                receivedAt: JSONValue.number(timestamp).map { Date(timeIntervalSince1970: $0 / 1000) },
                photos: photos)
        ]
    }

    /// signal-cli names attachment files by id: exactly, or (some versions) id plus extension.
    private func signalPhoto(id: String?, contentType: String) -> GatewayPhoto {
        guard let id else { return GatewayPhoto(source: .refused("signal attachment id is missing"), contentType: contentType) }
        guard let signalDirectory else {
            return GatewayPhoto(source: .refused("--signal-attachments is not configured"), contentType: contentType)
        }
        let source = signalDirectory.lookUp(
            id: id, what: "signal attachment id", extensions: [fileExtension(forContentType: contentType)],
            exactFirst: true)
        return GatewayPhoto(source: source, contentType: contentType)
    }
}

// MARK: - WhatsApp Cloud API

extension GatewayParser {
    /// A WhatsApp Cloud API webhook: one message per `entry[].changes[].value.messages[]`.
    func parseWhatsApp(_ object: JSONObject) throws(GatewayError) -> [GatewayMessage] {
        if let kind = object["object"], JSONValue.string(kind) != "whatsapp_business_account" {
            throw GatewayError("unsupported webhook object (expected whatsapp_business_account)")
        }
        guard let entries = object["entry"] as? [Any] else { throw GatewayError("WhatsApp webhook without entry array") }
        var messages: [GatewayMessage] = []
        for entry in entries.compactMap({ $0 as? JSONObject }) {
            for change in JSONValue.objects(entry["changes"]) {
                if let field = JSONValue.string(change["field"]), field != "messages" { continue }
                guard let value = JSONValue.object(change["value"]) else { continue }
                let contact = JSONValue.objects(value["contacts"]).lazy.compactMap { JSONValue.identifier($0["wa_id"]) }
                    .first
                // Statuses (sent, delivered, read) have no messages array: nothing to do.
                for message in JSONValue.objects(value["messages"]) {
                    if let parsed = whatsAppMessage(message, contact: contact) { messages.append(parsed) }
                }
            }
        }
        return messages
    }

    private func whatsAppMessage(_ message: JSONObject, contact: String?) -> GatewayMessage? {
        let type = JSONValue.string(message["type"])
        // Reactions to our reply and system notices (number changed) need no answer.
        if type == "reaction" || type == "system" || type == "request_welcome" { return nil }
        var caption: String?
        var photos: [GatewayPhoto] = []
        switch type {
        case "image":
            let image = JSONValue.object(message["image"]) ?? [:]
            caption = JSONValue.string(image["caption"])
            let contentType = JSONValue.string(image["mime_type"])
            photos.append(mediaFile(id: JSONValue.identifier(image["id"]), what: "WhatsApp media id", contentType: contentType))
        case "document":
            let document = JSONValue.object(message["document"]) ?? [:]
            caption = JSONValue.string(document["caption"])
            let contentType = JSONValue.string(document["mime_type"])
            if contentType?.lowercased().hasPrefix("image/") == true {
                let hint = JSONValue.string(document["filename"]).map { ($0 as NSString).pathExtension }
                photos.append(
                    mediaFile(
                        id: JSONValue.identifier(document["id"]), what: "WhatsApp media id", contentType: contentType,
                        extensionHint: hint))
            }
        case "text":
            caption = JSONValue.string(JSONValue.object(message["text"])?["body"])
        default:
            break
        }
        return GatewayMessage(
            id: JSONValue.identifier(message["id"]),
            channel: "whatsapp",
            sender: JSONValue.identifier(message["from"]) ?? contact,
            caption: caption,
            receivedAt: JSONValue.date(seconds: message["timestamp"]),
            photos: photos)
    }
}

// MARK: - Telegram Bot API

extension GatewayParser {
    /// A Telegram Bot API `Update` with a `message` (or `edited_message`).
    func parseTelegram(_ object: JSONObject) throws(GatewayError) -> [GatewayMessage] {
        // Callback queries, membership changes, channel posts: no citizen message.
        guard let message = JSONValue.object(object["message"]) ?? JSONValue.object(object["edited_message"]) else {
            return []
        }
        // Service messages (a member joined, a title changed) have none of these.
        let contentKeys = [
            "text", "caption", "photo", "document", "sticker", "voice", "audio", "video", "video_note", "animation",
            "contact", "location", "venue", "poll",
        ]
        guard contentKeys.contains(where: { message[$0] != nil }) else { return [] }
        var photos: [GatewayPhoto] = []
        if let largest = Self.largestTelegramPhoto(JSONValue.objects(message["photo"])) {
            photos.append(
                mediaFile(
                    id: JSONValue.identifier(largest["file_unique_id"]), what: "Telegram file_unique_id",
                    contentType: "image/jpeg"))
        }
        if let document = JSONValue.object(message["document"]),
            let contentType = JSONValue.string(document["mime_type"]), contentType.lowercased().hasPrefix("image/")
        {
            let hint = JSONValue.string(document["file_name"]).map { ($0 as NSString).pathExtension }
            photos.append(
                mediaFile(
                    id: JSONValue.identifier(document["file_unique_id"]), what: "Telegram file_unique_id",
                    contentType: contentType, extensionHint: hint))
        }
        // The update id names the message uniquely for the bot; the chat id would too, but in a
        // private chat it is the citizen's own Telegram id, which must not leave the intake.
        let updateID = JSONValue.identifier(object["update_id"])
        return [
            GatewayMessage(
                id: updateID.map { "tg-\($0)" },
                channel: "telegram",
                sender: JSONValue.identifier(JSONValue.object(message["from"])?["id"]),
                caption: JSONValue.string(message["caption"]) ?? JSONValue.string(message["text"]),
                receivedAt: JSONValue.date(seconds: message["date"]),
                photos: photos)
        ]
    }

    /// Telegram sends one PhotoSize per resolution; the reader wants the largest.
    static func largestTelegramPhoto(_ sizes: [JSONObject]) -> JSONObject? {
        func key(_ size: JSONObject) -> (Double, Double) {
            let area = (JSONValue.number(size["width"]) ?? 0) * (JSONValue.number(size["height"]) ?? 0)
            return (area, JSONValue.number(size["file_size"]) ?? 0)
        }
        return sizes.max { key($0) < key($1) }
    }
}
