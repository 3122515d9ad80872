import Foundation
import Testing

@testable import MeterPipeline

/// A temporary directory with a media dir and a signal attachments dir, removed at the end.
private final class Sandbox {
    let root: String
    let media: String
    let signal: String
    let outside: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        // Canonical from the start, so expected paths compare equal where /tmp is a symlink.
        root = URL(fileURLWithPath: base).resolvingSymlinksInPath().path
        media = root + "/media"
        signal = root + "/signal"
        outside = root + "/outside"
        for directory in [media, signal, outside] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    @discardableResult
    func write(_ path: String, _ bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]) -> String {
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func parser(maxImageBytes: Int = 40 << 20) -> GatewayParser {
        GatewayParser(mediaDirectory: media, signalAttachments: signal, maxImageBytes: maxImageBytes)
    }
}

private func one(_ parser: GatewayParser, _ line: String) throws -> GatewayMessage {
    let messages = try parser.parse(line)
    try #require(messages.count == 1)
    return messages[0]
}

private func isRefused(_ source: PhotoSource, containing fragment: String = "") -> Bool {
    if case .refused(let message) = source { return fragment.isEmpty || message.contains(fragment) }
    return false
}

private func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

@Suite("Gateway parser")
struct GatewayParserTests {
    // MARK: Our envelope

    @Test("our envelope with a relative image_path")
    func envelopePath() throws {
        let box = try Sandbox()
        box.write(box.media + "/abc.jpg")
        let message = try one(
            box.parser(),
            #"{"id":"m-1","received_at":"2026-11-25T08:15:00Z","channel":"sms-gw","sender":"+4917012345678","meter":"Z-12345","caption":"Zählerstand","image_path":"abc.jpg"}"#
        )
        #expect(message.id == "m-1")
        #expect(message.channel == "sms-gw")
        #expect(message.sender == "+4917012345678")
        #expect(message.meter == "Z-12345")
        #expect(message.caption == "Zählerstand")
        #expect(message.receivedAt == date(1_795_594_500))
        #expect(message.photos == [GatewayPhoto(source: .file(box.media + "/abc.jpg"))])
    }

    @Test("our envelope: channel defaults to gateway, offsets and fractions in received_at")
    func envelopeDefaults() throws {
        let box = try Sandbox()
        let message = try one(
            box.parser(), #"{"id":7,"received_at":"2026-11-25T09:15:00.500+01:00","sender":"x","caption":"hi"}"#)
        #expect(message.id == "7")
        #expect(message.channel == "gateway")
        #expect(message.receivedAt == date(1_795_594_500.5))
        #expect(message.photos.isEmpty)
    }

    @Test("our envelope: an absolute path inside the media dir, and a missing file")
    func envelopeAbsoluteAndMissing() throws {
        let box = try Sandbox()
        try FileManager.default.createDirectory(atPath: box.media + "/2026", withIntermediateDirectories: true)
        box.write(box.media + "/2026/a.png")
        let inside = try one(box.parser(), #"{"sender":"1","image_path":"\#(box.media)/2026/a.png"}"#)
        #expect(inside.photos.map(\.source) == [.file(box.media + "/2026/a.png")])
        let missing = try one(box.parser(), #"{"sender":"1","image_path":"nope/missing.jpg"}"#)
        #expect(missing.photos.map(\.source) == [.file(box.media + "/nope/missing.jpg")])
    }

    @Test(
        "our envelope: paths escaping the media dir are refused",
        arguments: ["../outside/secret.jpg", "2026/../../outside/secret.jpg", "/etc/passwd", "/nonexistent/x.jpg"])
    func envelopeEscape(_ path: String) throws {
        let box = try Sandbox()
        box.write(box.outside + "/secret.jpg")
        let message = try one(box.parser(), #"{"sender":"1","image_path":"\#(path)"}"#)
        #expect(message.photos.count == 1)
        #expect(isRefused(message.photos[0].source))
    }

    @Test("our envelope: an absolute path into a sibling directory sharing the prefix is refused")
    func envelopePrefixSibling() throws {
        let box = try Sandbox()
        let sibling = box.media + "-other"
        try FileManager.default.createDirectory(atPath: sibling, withIntermediateDirectories: true)
        box.write(sibling + "/a.jpg")
        let message = try one(box.parser(), #"{"sender":"1","image_path":"\#(sibling)/a.jpg"}"#)
        #expect(isRefused(message.photos[0].source, containing: "outside"))
    }

    @Test("symlinks inside the media dir pointing outside are refused, also dangling ones and directories")
    func symlinkEscape() throws {
        let box = try Sandbox()
        box.write(box.outside + "/secret.jpg")
        box.write(box.media + "/real.jpg")
        let files = FileManager.default
        try files.createSymbolicLink(atPath: box.media + "/link.jpg", withDestinationPath: box.outside + "/secret.jpg")
        try files.createSymbolicLink(atPath: box.media + "/dir", withDestinationPath: box.outside)
        try files.createSymbolicLink(atPath: box.media + "/dangling.jpg", withDestinationPath: box.outside + "/gone.jpg")
        try files.createSymbolicLink(atPath: box.media + "/ok.jpg", withDestinationPath: box.media + "/real.jpg")
        let parser = box.parser()
        for path in ["link.jpg", "dir/secret.jpg", "dir/not-there.jpg", "dangling.jpg"] {
            let message = try one(parser, #"{"sender":"1","image_path":"\#(path)"}"#)
            #expect(isRefused(message.photos[0].source), "\(path)")
        }
        // A symlink that stays inside is followed to its target.
        let ok = try one(parser, #"{"sender":"1","image_path":"ok.jpg"}"#)
        #expect(ok.photos.map(\.source) == [.file(box.media + "/real.jpg")])
        // A symlinked WhatsApp media file pointing outside is refused just the same.
        try files.createSymbolicLink(atPath: box.media + "/99.jpg", withDestinationPath: box.outside + "/secret.jpg")
        let whatsApp = try one(parser, whatsAppImage(id: "99"))
        #expect(isRefused(whatsApp.photos[0].source, containing: "outside"))
    }

    @Test("our envelope: image_path without --media-dir is refused")
    func envelopeNoMediaDir() throws {
        let parser = GatewayParser(mediaDirectory: nil, signalAttachments: nil)
        let message = try one(parser, #"{"sender":"1","image_path":"a.jpg"}"#)
        #expect(isRefused(message.photos[0].source, containing: "--media-dir"))
    }

    @Test("our envelope: image_base64 decodes, also URL-safe, unpadded, wrapped or as a data URL")
    func base64Good() throws {
        let box = try Sandbox()
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFB, 0xFF]
        let standard = Data(bytes).base64EncodedString()
        let urlSafe = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        for encoded in [standard, urlSafe, String(standard.prefix(4)) + "\\n" + standard.dropFirst(4)] {
            let message = try one(box.parser(), #"{"sender":"1","image_base64":"\#(encoded)"}"#)
            #expect(message.photos == [GatewayPhoto(source: .bytes(bytes))], "\(encoded)")
        }
        let dataURL = try one(box.parser(), #"{"sender":"1","image_base64":"data:image/png;base64,\#(standard)"}"#)
        #expect(dataURL.photos == [GatewayPhoto(source: .bytes(bytes), contentType: "image/png")])
    }

    @Test("our envelope: invalid, empty and oversize image_base64 is refused")
    func base64Bad() throws {
        let box = try Sandbox()
        let invalid = try one(box.parser(), #"{"sender":"1","image_base64":"not base64 at all!!"}"#)
        #expect(isRefused(invalid.photos[0].source, containing: "not valid base64"))
        let empty = try one(box.parser(), #"{"sender":"1","image_base64":""}"#)
        #expect(isRefused(empty.photos[0].source, containing: "empty"))
        let big = Data(repeating: 0xAB, count: 2000).base64EncodedString()
        let oversize = try one(box.parser(maxImageBytes: 1000), #"{"sender":"1","image_base64":"\#(big)"}"#)
        #expect(isRefused(oversize.photos[0].source, containing: "limit"))
        let exact = Data(repeating: 0xAB, count: 1000).base64EncodedString()
        let atLimit = try one(box.parser(maxImageBytes: 1000), #"{"sender":"1","image_base64":"\#(exact)"}"#)
        #expect(atLimit.photos == [GatewayPhoto(source: .bytes([UInt8](repeating: 0xAB, count: 1000)))])
    }

    @Test("our envelope: several images in `images`")
    func envelopeImages() throws {
        let box = try Sandbox()
        box.write(box.media + "/a.jpg")
        let message = try one(
            box.parser(),
            #"{"id":"m","sender":"1","images":[{"image_path":"a.jpg"},{"image_base64":"/9j/2Q==","content_type":"image/jpeg"}]}"#
        )
        #expect(
            message.photos == [
                GatewayPhoto(source: .file(box.media + "/a.jpg")),
                GatewayPhoto(source: .bytes([0xFF, 0xD8, 0xFF, 0xD9]), contentType: "image/jpeg"),
            ])
    }

    @Test(
        "our envelope: malformed fields are errors naming the field only",
        arguments: [
            (#"{"sender":"+4917012345678","image_path":"a.jpg","image_base64":"AAAA"}"#, "both"),
            (#"{"sender":"+4917012345678","image_path":42}"#, "image_path must be a string"),
            (#"{"sender":"+4917012345678","received_at":"yesterday"}"#, "received_at"),
            (#"{"sender":"+4917012345678","caption":["x"]}"#, "caption must be a string"),
            (#"{"sender":"+4917012345678","images":[{"caption":"x"}]}"#, "neither"),
            (#"{"sender":"+4917012345678","images":"a.jpg"}"#, "images must be an array"),
        ])
    func envelopeMalformed(_ line: String, _ fragment: String) {
        #expect {
            _ = try GatewayParser(mediaDirectory: "/tmp", signalAttachments: nil).parse(line)
        } throws: { error in
            let description = (error as? GatewayError)?.description ?? ""
            return description.contains(fragment) && !description.contains("4917")
        }
    }

    // MARK: signal-cli

    static let signalLine =
        #"{"envelope":{"source":"+4917012345678","sourceNumber":"+4917012345678","sourceUuid":"5e1b2c3d-0000-4000-8000-1234567890ab","sourceName":"Max Mustermann","sourceDevice":1,"timestamp":1700000000123,"serverReceivedTimestamp":1700000000456,"serverDeliveredTimestamp":1700000000789,"dataMessage":{"timestamp":1700000000123,"message":"Zähler 123","expiresInSeconds":0,"viewOnce":false,"attachments":[{"contentType":"image/jpeg","filename":"IMG_20231114_222000.jpg","id":"9tKqVJ7IJ2mHDhN8eSTC.jpg","size":123456,"width":4000,"height":3000,"caption":null,"uploadTimestamp":1699999999000},{"contentType":"application/pdf","filename":"Rechnung.pdf","id":"pdfAttachment01.pdf","size":2048},{"contentType":"image/png","filename":"screenshot.png","id":"Q2xhc3NpY0lk","size":999}]}},"account":"+4930123456"}"#

    @Test("signal-cli -o json receive: image attachments, non-image skipped, lookup by id and id.*")
    func signalReceive() throws {
        let box = try Sandbox()
        box.write(box.signal + "/9tKqVJ7IJ2mHDhN8eSTC.jpg")
        box.write(box.signal + "/Q2xhc3NpY0lk.png")
        box.write(box.signal + "/pdfAttachment01.pdf")
        let message = try one(box.parser(), Self.signalLine)
        #expect(message.id == "1700000000123")
        #expect(message.channel == "signal")
        #expect(message.sender == "+4917012345678")
        #expect(message.caption == "Zähler 123")
        #expect(message.receivedAt == date(1_700_000_000.123))
        #expect(
            message.photos == [
                GatewayPhoto(source: .file(box.signal + "/9tKqVJ7IJ2mHDhN8eSTC.jpg"), contentType: "image/jpeg"),
                GatewayPhoto(source: .file(box.signal + "/Q2xhc3NpY0lk.png"), contentType: "image/png"),
            ])
    }

    @Test("signal-cli: an attachment file of an unusual extension is found by id.*; a missing one gives the exact path")
    func signalLookupFallbacks() throws {
        let box = try Sandbox()
        box.write(box.signal + "/Q2xhc3NpY0lk.jfif")
        box.write(box.signal + "/Q2xhc3NpY0lk.json")
        let message = try one(box.parser(), Self.signalLine)
        #expect(
            message.photos.map(\.source) == [
                .file(box.signal + "/9tKqVJ7IJ2mHDhN8eSTC.jpg"), .file(box.signal + "/Q2xhc3NpY0lk.jfif"),
            ])
    }

    @Test("signal-cli: sourceUuid when there is no number; null message; no --signal-attachments")
    func signalUuidAndUnconfigured() throws {
        let line =
            #"{"envelope":{"source":"5e1b2c3d-0000-4000-8000-1234567890ab","sourceNumber":null,"sourceUuid":"5e1b2c3d-0000-4000-8000-1234567890ab","sourceName":"M","sourceDevice":2,"timestamp":1700000000000,"dataMessage":{"timestamp":1700000000000,"message":null,"attachments":[{"contentType":"image/jpeg","id":"abc123.jpg","size":1}]}},"account":"+4930123456"}"#
        let message = try one(GatewayParser(mediaDirectory: nil, signalAttachments: nil), line)
        #expect(message.sender == "5e1b2c3d-0000-4000-8000-1234567890ab")
        #expect(message.caption == nil)
        #expect(isRefused(message.photos[0].source, containing: "--signal-attachments"))
    }

    @Test("signal-cli: a bad attachment id is refused")
    func signalBadID() throws {
        let box = try Sandbox()
        let line =
            #"{"envelope":{"sourceNumber":"+4917012345678","timestamp":1700000000000,"dataMessage":{"attachments":[{"contentType":"image/jpeg","id":"../../etc/passwd"}]}}}"#
        let message = try one(box.parser(), line)
        #expect(isRefused(message.photos[0].source, containing: "id"))
    }

    @Test("signal-cli: text-only message has no photos")
    func signalTextOnly() throws {
        let line =
            #"{"envelope":{"source":"+4917012345678","sourceNumber":"+4917012345678","sourceUuid":"u","sourceName":"Max","sourceDevice":1,"timestamp":1700000000000,"dataMessage":{"timestamp":1700000000000,"message":"Wie geht das?","expiresInSeconds":0,"viewOnce":false}},"account":"+4930123456"}"#
        let message = try one(GatewayParser(mediaDirectory: nil, signalAttachments: nil), line)
        #expect(message.caption == "Wie geht das?")
        #expect(message.photos.isEmpty)
    }

    @Test(
        "signal-cli: receipts, typing, sync and reactions give no message",
        arguments: [
            #"{"envelope":{"source":"+4917012345678","sourceNumber":"+4917012345678","sourceUuid":"u","sourceDevice":1,"timestamp":1700000000000,"receiptMessage":{"when":1700000000000,"isDelivery":true,"isRead":false,"isViewed":false,"timestamps":[1699999999000]}},"account":"+4930123456"}"#,
            #"{"envelope":{"source":"+4917012345678","sourceNumber":"+4917012345678","sourceUuid":"u","sourceDevice":1,"timestamp":1700000000000,"typingMessage":{"action":"STARTED","timestamp":1700000000000}},"account":"+4930123456"}"#,
            #"{"envelope":{"source":"+4930123456","sourceNumber":"+4930123456","sourceUuid":"u","sourceDevice":2,"timestamp":1700000000000,"syncMessage":{"sentMessage":{"destination":"+4917012345678","timestamp":1700000000000,"message":"j"}}},"account":"+4930123456"}"#,
            #"{"envelope":{"sourceNumber":"+4917012345678","timestamp":1700000000000,"dataMessage":{"timestamp":1700000000000,"message":null,"reaction":{"emoji":"👍","targetAuthorNumber":"+4930123456","targetSentTimestamp":1699999999000,"isRemove":false}}}}"#,
        ])
    func signalNothing(_ line: String) throws {
        #expect(try GatewayParser(mediaDirectory: nil, signalAttachments: nil).parse(line).isEmpty)
    }

    @Test("signal-cli JSON-RPC: receive notifications, plain and subscribed; other traffic ignored")
    func signalRPC() throws {
        let box = try Sandbox()
        box.write(box.signal + "/abc123")
        let envelope =
            #"{"source":"+4917012345678","sourceNumber":"+4917012345678","sourceUuid":"u","sourceName":"Max","sourceDevice":1,"timestamp":1631458508784,"dataMessage":{"timestamp":1631458508784,"message":"foobar","expiresInSeconds":0,"viewOnce":false,"mentions":[],"attachments":[{"contentType":"image/jpeg","filename":"IMG.jpg","id":"abc123","size":12345}],"contacts":[]}}"#
        let plain = #"{"jsonrpc":"2.0","method":"receive","params":{"envelope":\#(envelope),"account":"+4930123456"}}"#
        let subscribed =
            #"{"jsonrpc":"2.0","method":"receive","params":{"subscription":0,"result":{"envelope":\#(envelope),"account":"+4930123456"}}}"#
        for line in [plain, subscribed] {
            let message = try one(box.parser(), line)
            #expect(message.id == "1631458508784")
            #expect(message.caption == "foobar")
            #expect(message.photos == [GatewayPhoto(source: .file(box.signal + "/abc123"), contentType: "image/jpeg")])
        }
        for line in [
            #"{"jsonrpc":"2.0","result":0,"id":"id"}"#,
            #"{"jsonrpc":"2.0","method":"receive","params":{"account":"+4930123456","exception":{"message":"Untrusted identity","type":"UntrustedIdentityException"}}}"#,
        ] {
            #expect(try box.parser().parse(line).isEmpty)
        }
        #expect(throws: GatewayError.self) { try box.parser().parse(#"{"jsonrpc":"2.0","method":"receive"}"#) }
    }

    // MARK: WhatsApp

    static func whatsAppImage(id: String, caption: String = "Zählerstand Wasser") -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Max Mustermann"},"wa_id":"4917012345678"}],"messages":[{"from":"4917012345678","id":"wamid.HBgNNDkxNzAxMjM0NTY3OBUCABIYFjNFQjBDNzk2","timestamp":"1700000000","type":"image","image":{"caption":"\#(caption)","mime_type":"image/jpeg","sha256":"fTBvB0ZlGdl1ljSLBDNwNh0ZqcUbGXRjw1ePEq7MjD4=","id":"\#(id)"}}]},"field":"messages"}]}]}"#
    }

    private func whatsAppImage(id: String) -> String { Self.whatsAppImage(id: id) }

    @Test("WhatsApp webhook: an image message, file found as <id>.<ext>")
    func whatsAppImageMessage() throws {
        let box = try Sandbox()
        box.write(box.media + "/1234567890.jpeg")
        let message = try one(box.parser(), Self.whatsAppImage(id: "1234567890"))
        #expect(message.id == "wamid.HBgNNDkxNzAxMjM0NTY3OBUCABIYFjNFQjBDNzk2")
        #expect(message.channel == "whatsapp")
        #expect(message.sender == "4917012345678")
        #expect(message.caption == "Zählerstand Wasser")
        #expect(message.receivedAt == date(1_700_000_000))
        #expect(message.photos == [GatewayPhoto(source: .file(box.media + "/1234567890.jpeg"), contentType: "image/jpeg")])
    }

    @Test("WhatsApp webhook: a missing media file gives <id>.jpg")
    func whatsAppMissing() throws {
        let box = try Sandbox()
        let message = try one(box.parser(), Self.whatsAppImage(id: "555"))
        #expect(message.photos.map(\.source) == [.file(box.media + "/555.jpg")])
    }

    @Test("WhatsApp webhook: a batch with image, image document, pdf, text and reaction, over two entries")
    func whatsAppBatch() throws {
        let box = try Sandbox()
        box.write(box.media + "/111.png")
        box.write(box.media + "/222.jpg")
        let line =
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"A"},"wa_id":"4917011111111"},{"profile":{"name":"B"},"wa_id":"4917022222222"}],"messages":[{"from":"4917011111111","id":"wamid.A","timestamp":"1700000001","type":"image","image":{"mime_type":"image/png","sha256":"x","id":"111"}},{"from":"4917022222222","id":"wamid.B","timestamp":"1700000002","type":"document","document":{"caption":"Strom","filename":"zaehler.jpg","mime_type":"image/jpeg","sha256":"y","id":"222"}},{"from":"4917022222222","id":"wamid.C","timestamp":"1700000003","type":"document","document":{"filename":"vertrag.pdf","mime_type":"application/pdf","sha256":"z","id":"333"}},{"from":"4917022222222","id":"wamid.R","timestamp":"1700000004","type":"reaction","reaction":{"message_id":"wamid.OURS","emoji":"👍"}}]},"field":"messages"}]},{"id":"2","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"C"},"wa_id":"4917033333333"}],"messages":[{"from":"4917033333333","id":"wamid.D","timestamp":"1700000005","type":"text","text":{"body":"Hallo, wie schicke ich den Zählerstand?"}}]},"field":"messages"}]}]}"#
        let messages = try box.parser().parse(line)
        #expect(messages.map(\.id) == ["wamid.A", "wamid.B", "wamid.C", "wamid.D"])
        #expect(messages.map(\.sender) == ["4917011111111", "4917022222222", "4917022222222", "4917033333333"])
        #expect(messages[0].photos == [GatewayPhoto(source: .file(box.media + "/111.png"), contentType: "image/png")])
        #expect(messages[1].photos == [GatewayPhoto(source: .file(box.media + "/222.jpg"), contentType: "image/jpeg")])
        #expect(messages[1].caption == "Strom")
        #expect(messages[2].photos.isEmpty)
        #expect(messages[3].photos.isEmpty)
        #expect(messages[3].caption == "Hallo, wie schicke ich den Zählerstand?")
    }

    @Test("WhatsApp webhook: sender falls back to the contact's wa_id")
    func whatsAppContactFallback() throws {
        let line =
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","contacts":[{"profile":{"name":"A"},"wa_id":"4917011111111"}],"messages":[{"id":"wamid.A","timestamp":"1700000001","type":"text","text":{"body":"x"}}]}}]}]}"#
        let message = try one(GatewayParser(mediaDirectory: nil, signalAttachments: nil), line)
        #expect(message.sender == "4917011111111")
    }

    @Test("WhatsApp webhook: statuses only give no message")
    func whatsAppStatuses() throws {
        let line =
            #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA","status":"delivered","timestamp":"1700000000","recipient_id":"4917012345678","conversation":{"id":"4a1c1f3d2e","origin":{"type":"service"}},"pricing":{"billable":true,"pricing_model":"CBP","category":"service"}}]},"field":"messages"}]}]}"#
        #expect(try GatewayParser(mediaDirectory: nil, signalAttachments: nil).parse(line).isEmpty)
    }

    @Test("WhatsApp webhook: without --media-dir the image is refused; a bad media id is refused")
    func whatsAppRefused() throws {
        let unconfigured = try one(GatewayParser(mediaDirectory: nil, signalAttachments: nil), Self.whatsAppImage(id: "1"))
        #expect(isRefused(unconfigured.photos[0].source, containing: "--media-dir"))
        let box = try Sandbox()
        let bad = try one(box.parser(), Self.whatsAppImage(id: "../outside/secret"))
        #expect(isRefused(bad.photos[0].source, containing: "id"))
    }

    // MARK: Telegram

    @Test("Telegram update: the largest photo only, by area then file size")
    func telegramPhoto() throws {
        let box = try Sandbox()
        box.write(box.media + "/AQADLARGE.jpg")
        let line =
            #"{"update_id":824305133,"message":{"message_id":5,"from":{"id":123456789,"is_bot":false,"first_name":"Max","last_name":"Mustermann","username":"maxm","language_code":"de"},"chat":{"id":123456789,"first_name":"Max","last_name":"Mustermann","username":"maxm","type":"private"},"date":1700000000,"photo":[{"file_id":"AgACAgIAAxkBAAMFZ1","file_unique_id":"AQADsmall","file_size":1234,"width":90,"height":67},{"file_id":"AgACAgIAAxkBAAMFZ4","file_unique_id":"AQADLARGE","file_size":154321,"width":1280,"height":960},{"file_id":"AgACAgIAAxkBAAMFZ2","file_unique_id":"AQADmedium","file_size":23456,"width":320,"height":240},{"file_id":"AgACAgIAAxkBAAMFZ3","file_unique_id":"AQADsameArea","file_size":99999,"width":960,"height":1280}],"caption":"Gas 4711"}}"#
        let message = try one(box.parser(), line)
        #expect(message.id == "tg-824305133")
        #expect(message.channel == "telegram")
        #expect(message.sender == "123456789")
        #expect(message.caption == "Gas 4711")
        #expect(message.receivedAt == date(1_700_000_000))
        #expect(message.photos == [GatewayPhoto(source: .file(box.media + "/AQADLARGE.jpg"), contentType: "image/jpeg")])
    }

    @Test("Telegram update: an image document; edited_message; text only")
    func telegramDocumentAndText() throws {
        let box = try Sandbox()
        box.write(box.media + "/AgADdoc42.png")
        let document =
            #"{"update_id":2,"edited_message":{"message_id":9,"from":{"id":42,"is_bot":false,"first_name":"Erika"},"chat":{"id":-1001234567890,"title":"Hausverwaltung","type":"supergroup"},"date":1700000100,"edit_date":1700000200,"document":{"file_name":"zaehler.png","mime_type":"image/png","file_id":"BQACAgIAAxkBAAMJ","file_unique_id":"AgADdoc42","file_size":456789}}}"#
        let edited = try one(box.parser(), document)
        #expect(edited.id == "tg-2")
        #expect(edited.sender == "42")
        #expect(edited.photos == [GatewayPhoto(source: .file(box.media + "/AgADdoc42.png"), contentType: "image/png")])
        let text =
            #"{"update_id":3,"message":{"message_id":10,"from":{"id":42,"is_bot":false,"first_name":"Erika"},"chat":{"id":42,"type":"private"},"date":1700000300,"text":"/start"}}"#
        let textOnly = try one(box.parser(), text)
        #expect(textOnly.caption == "/start")
        #expect(textOnly.photos.isEmpty)
        let pdf =
            #"{"update_id":4,"message":{"message_id":11,"from":{"id":42,"is_bot":false,"first_name":"Erika"},"chat":{"id":42,"type":"private"},"date":1700000300,"document":{"file_name":"a.pdf","mime_type":"application/pdf","file_id":"x","file_unique_id":"AgADpdf"}}}"#
        #expect(try one(box.parser(), pdf).photos.isEmpty)
    }

    @Test("Telegram update: callback queries and service messages give no message")
    func telegramNothing() throws {
        let parser = GatewayParser(mediaDirectory: nil, signalAttachments: nil)
        let callback =
            #"{"update_id":5,"callback_query":{"id":"4382","from":{"id":42,"is_bot":false,"first_name":"Erika"},"data":"ok"}}"#
        let joined =
            #"{"update_id":6,"message":{"message_id":12,"from":{"id":42,"is_bot":false,"first_name":"Erika"},"chat":{"id":-100,"type":"group"},"date":1700000300,"new_chat_members":[{"id":43,"is_bot":false,"first_name":"Hans"}]}}"#
        #expect(try parser.parse(callback).isEmpty)
        #expect(try parser.parse(joined).isEmpty)
    }

    // MARK: Garbage

    @Test(
        "garbage lines are errors that do not echo the content",
        arguments: [
            ("not json +4917012345678", "not JSON"),
            ("{\"sender\": +4917012345678}", "not JSON"),
            ("", "empty"),
            ("[1,2,3]", "array"),
            ("\"+4917012345678\"", "string"),
            ("4917012345678", "number"),
            ("null", "null"),
            (#"{"foo":1,"bar":"+4917012345678","+4917012345678":true}"#, "keys bar, foo, 1 more"),
            (#"{"object":"page","entry":[]}"#, "whatsapp_business_account"),
            (#"{"object":"whatsapp_business_account","entry":"x"}"#, "entry"),
            (#"{"envelope":"+4917012345678"}"#, "envelope"),
        ])
    func garbage(_ line: String, _ fragment: String) {
        #expect {
            _ = try GatewayParser(mediaDirectory: nil, signalAttachments: nil).parse(line)
        } throws: { error in
            guard let error = error as? GatewayError else { return false }
            return error.description.contains(fragment) && !error.description.contains("4917")
        }
    }
}
