import ArgumentParser
import MeterPipeline

/// The `meterscan` command line: subcommands only, no logic of its own.
@main
struct MeterScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterscan",
        abstract: "Read utility meters from photos and turn them into validated readings.",
        discussion: """
            Exit codes: 0 every item processed and accepted, 1 some items failed or were \
            not accepted, 2 fatal error, 64 usage error, 75 temporary failure, 130 interrupted.
            """,
        version: "0.1.0",
        subcommands: [
            ReadCommand.self, BatchCommand.self, PipeCommand.self, MetersCommand.self, ReviewCommand.self,
            ConsumeCommand.self, PurgeCommand.self, InspectCommand.self, EvalCommand.self, EvalDigitsCommand.self,
            BenchCommand.self,
        ]
    )

    /// Sets the allocator up for reading photos, then parses and runs the command.
    static func main() {
        AllocatorTuning.keepPhotoBuffersMapped()
        main(nil)
    }
}
