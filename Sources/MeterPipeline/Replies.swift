import MeterReading

/// Languages the citizen's reply can be written in.
public enum ReplyLanguage: String, Sendable, CaseIterable {
    /// German, what the utilities' customers expect (the default).
    case de
    /// English.
    case en
}

/// Writes the message the gateway sends back to the citizen, from the status and the most
/// important reason: the value recorded, "received, a colleague will check", or what to do
/// better for a new photo.
enum ReplyComposer {
    static func reply(
        status: ReadingStatus, reading: String?, unit: String?, reasons: [Reason], language: ReplyLanguage = .de
    ) -> ReadResult.Reply {
        let text: String
        switch status {
        case .accepted:
            let shown = [reading.map(displayValue), unit.map(displayUnit)].compactMap { $0 }.joined(separator: " ")
            text = language == .de
                ? "Vielen Dank! Wir haben den Zählerstand \(shown) erfasst."
                : "Thank you! We have recorded the meter reading \(shown)."
        case .review:
            text = language == .de
                ? "Vielen Dank, Ihr Foto ist angekommen. Eine Kollegin oder ein Kollege prüft den "
                    + "Zählerstand; wir melden uns, falls wir noch etwas brauchen."
                : "Thank you, we have received your photo. A colleague will check the reading and "
                    + "get back to you if we need anything else."
        case .rejected:
            text = rejection(reasons.first?.code, language)
        }
        return .init(lang: language.rawValue, text: text)
    }

    /// "00049.623" → "49,623" in German, "49.623" in English would be ambiguous for readers
    /// used to thousands separators, so the integer's leading zeros are all that is dropped.
    private static func displayValue(_ value: String) -> String {
        var text = Substring(value)
        while text.count > 1, text.first == "0", text.dropFirst().first != "." { text.removeFirst() }
        return String(text)
    }

    private static func displayUnit(_ unit: String) -> String {
        switch unit.lowercased() {
        case "m3": "m³"
        default: unit
        }
    }

    private static func rejection(_ code: ReasonCode?, _ language: ReplyLanguage) -> String {
        let german = language == .de
        switch code {
        case .decodeError:
            return german
                ? "Wir konnten die Datei nicht öffnen. Bitte senden Sie ein Foto im Format JPEG oder PNG."
                : "We could not open the file. Please send a photo as JPEG or PNG."
        case .blurred:
            return german
                ? "Das Foto ist leider unscharf. Bitte halten Sie das Telefon ruhig, tippen Sie zum "
                    + "Scharfstellen auf das Zählwerk und senden Sie ein neues Foto."
                : "The photo is too blurred. Please hold the phone still, tap the counter to focus "
                    + "and send a new photo."
        case .tooDark:
            return german
                ? "Das Foto ist zu dunkel. Bitte schalten Sie Licht ein oder nutzen Sie den Blitz "
                    + "und senden Sie ein neues Foto."
                : "The photo is too dark. Please turn on a light or use the flash and send a new photo."
        case .counterCutOff:
            return german
                ? "Das Zählwerk ist am Bildrand abgeschnitten. Bitte fotografieren Sie es so, dass "
                    + "alle Ziffern vollständig im Bild sind."
                : "The counter is cut off at the edge of the photo. Please take a photo with all "
                    + "digits fully in the picture."
        case .tooFewDigits:
            return german
                ? "Wir konnten den Zählerstand nicht vollständig lesen. Bitte fotografieren Sie das "
                    + "ganze Zählwerk näher und gerade von vorne."
                : "We could not read the whole counter. Please photograph the entire counter from "
                    + "closer and straight on."
        case .noImage:
            return german
                ? "Ihre Nachricht enthält kein Foto. Bitte senden Sie ein Foto des Zählwerks."
                : "Your message has no photo. Please send a photo of the meter's counter."
        case .notAMessage:
            return ""
        case .badInput:
            return german
                ? "Ihre Nachricht konnte nicht verarbeitet werden. Bitte senden Sie ein Foto des Zählwerks erneut."
                : "Your message could not be processed. Please send a photo of the counter again."
        default:
            return german
                ? "Wir konnten auf dem Foto kein Zählwerk finden. Bitte fotografieren Sie das "
                    + "Zählwerk gerade von vorne, sodass alle Ziffern gut zu sehen sind."
                : "We could not find a meter in the photo. Please photograph the counter straight "
                    + "on, with all digits clearly visible."
        }
    }
}

extension ReadResult {
    /// Rewrites the reply in `language` from the result's status, value and reasons.
    public mutating func composeReply(in language: ReplyLanguage) {
        reply = ReplyComposer.reply(
            status: status, reading: recordedValue ?? reading?.value, unit: reading?.unit, reasons: reasons,
            language: language)
    }
}
