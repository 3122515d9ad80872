import MeterReading

/// Writes the message the gateway sends back to the citizen (German, as the utilities' customers
/// expect), from the status and the most important reason.
enum ReplyComposer {
    static func reply(status: ReadingStatus, reading: String?, unit: String?, reasons: [Reason])
        -> ReadResult.Reply
    {
        switch status {
        case .accepted:
            let unitText = unit.map { " \($0)" } ?? ""
            return .init(
                lang: "de",
                text: "Vielen Dank! Wir haben den Zählerstand \(reading ?? "")\(unitText) erfasst.")
        case .review:
            return .init(
                lang: "de",
                text: "Vielen Dank, Ihr Foto ist angekommen. Wir prüfen den Zählerstand und melden "
                    + "uns, falls wir noch etwas brauchen.")
        case .rejected:
            return .init(lang: "de", text: rejectionText(reasons.first?.code))
        }
    }

    private static func rejectionText(_ code: ReasonCode?) -> String {
        switch code {
        case .decodeError:
            return "Wir konnten die Datei nicht öffnen. Bitte senden Sie ein Foto im Format JPEG oder PNG."
        case .blurred:
            return "Das Foto ist leider unscharf. Bitte halten Sie das Telefon ruhig, tippen Sie zum "
                + "Scharfstellen auf das Zählwerk und senden Sie ein neues Foto."
        case .tooDark:
            return "Das Foto ist zu dunkel. Bitte schalten Sie Licht ein oder nutzen Sie den Blitz "
                + "und senden Sie ein neues Foto."
        case .counterCutOff:
            return "Das Zählwerk ist am Bildrand abgeschnitten. Bitte fotografieren Sie es so, dass "
                + "alle Ziffern vollständig im Bild sind."
        case .tooFewDigits:
            return "Wir konnten den Zählerstand nicht vollständig lesen. Bitte fotografieren Sie das "
                + "ganze Zählwerk näher und gerade von vorne."
        default:
            return "Wir konnten auf dem Foto kein Zählwerk finden. Bitte fotografieren Sie das "
                + "Zählwerk gerade von vorne, sodass alle Ziffern gut zu sehen sind."
        }
    }
}
