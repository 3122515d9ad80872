import ArgumentParser
import Foundation
import MeterPipeline

/// `meterscan pipe`: the messenger gateway's long-running process.
struct PipeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipe",
        abstract: "Read gateway messages (one JSON object per line) from stdin; write one result line per photo.",
        discussion: """
            Accepted lines, detected automatically: MeterScan's envelope {id, received_at, \
            channel, sender, meter?, caption?, image_path | image_base64}; signal-cli's \
            `-o json receive` lines and JSON-RPC receive notifications (attachments from \
            --signal-attachments); WhatsApp Cloud API webhook payloads and Telegram Bot API \
            updates (media saved by the gateway as --media-dir/<id>.<ext>). Each result line \
            is flushed at once and carries the reply for the citizen. A text-only message gives \
            reason no_image, a line that cannot be understood reason bad_input; the process \
            goes on. Senders are replaced by keyed hashes at intake. End of input: finish, \
            exit 0. SIGINT/SIGTERM: stop reading, finish what is in flight, exit 130.
            """
    )

    @OptionGroup var state: StateOptions

    @OptionGroup var engine: EngineOptions

    @Option(name: .customLong("media-dir"), help: "Folder the gateway saves photos in (image_path, WhatsApp, Telegram).")
    var mediaDirectory: String?

    @Option(name: .customLong("signal-attachments"), help: "signal-cli's attachment folder.")
    var signalAttachments: String?

    @Option(help: "Language of the replies: de or en.")
    var lang: LanguageOption = .de



    func validate() throws {
        for (flag, folder) in [("--media-dir", mediaDirectory), ("--signal-attachments", signalAttachments)] {
            var isDirectory: ObjCBool = false
            if let folder, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
                throw ValidationError("\(flag) \(folder) is not a directory")
            }
        }
    }

    func run() throws {
        Interruption.install()
        signal(SIGPIPE, SIG_IGN)
        let meterState = try state.open()
        let options = PipeSession.Options(
            jobs: engine.jobs, language: lang.language,
            parser: GatewayParser(mediaDirectory: mediaDirectory, signalAttachments: signalAttachments),
            engine: engine.configuration)
        let output = LineWriter()
        let session = PipeSession(state: meterState, options: options) { output.write($0) }
        let ending: PipeSession.Ending
        do {
            ending = try session.run()
        } catch {
            printError("meterscan: \(error)")
            throw ExitCode(2)
        }
        switch ending {
        case .endOfInput: return
        case .interrupted: throw ExitCode(130)
        case .stateFailed(let failure):
            printError("meterscan: \(failure)")
            throw ExitCode(failure.exitCode)
        }
    }
}
