import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue
import MeterQueuePostgres

/// `meterscan consume`: delivers queued readings to billing.
struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Deliver accepted readings from the queue to a sink, at least once, in order per meter.",
        discussion: """
            Sinks: jsonl:PATH (append one JSON record per line, fsync), csv:PATH (`;` separated \
            with a header; --decimal-comma for German spreadsheets), http(s)://URL (POST JSON \
            with an Idempotency-Key header; 5xx and timeouts are retried with backoff, other 4xx \
            dead-lettered), exec:CMD (the JSON record on stdin; exit 0 delivered, 65 refused, \
            anything else retried). A record delivered twice (after a crash) carries the same \
            reading_id. Without --once it keeps waiting for new readings until SIGINT/SIGTERM \
            (exit 130). Exit code with --once: 0 when the queue was drained, 1 when messages \
            failed or remain.
            """
    )

    @OptionGroup var state: StateOptions

    @Option(help: "jsonl:PATH, csv:PATH, http(s)://URL or exec:CMD.")
    var sink: String

    @Flag(help: "Deliver what is deliverable now, then exit.")
    var once = false

    @Flag(name: .customLong("decimal-comma"), help: "csv sink: write 1189,27 instead of 1189.27.")
    var decimalComma = false

    @Option(help: "Seconds a claimed message stays hidden from other consumers.")
    var visibility: Double = 60

    @Option(name: .customLong("max-deliveries"), help: "Attempts before a message is dead-lettered.")
    var maxDeliveries: Int = 8

    func validate() throws {
        if SinkSpec(sink) == nil {
            throw ValidationError("--sink must be jsonl:PATH, csv:PATH, http(s)://URL or exec:CMD (got '\(sink)')")
        }
        if visibility <= 0 { throw ValidationError("--visibility must be positive") }
        if maxDeliveries < 1 { throw ValidationError("--max-deliveries must be at least 1") }
    }

    func run() throws {
        Interruption.install()
        let meterState = try state.open()
        let destination: any DeliverySink
        do {
            destination = try SinkSpec(sink)!.open(decimalComma: decimalComma)
        } catch {
            printError("meterscan: \(error)")
            throw ExitCode(2)
        }
        var consumer = QueueConsumer()
        consumer.visibility = visibility
        consumer.maxDeliveries = maxDeliveries
        // PostgreSQL wakes the consumer when a worker enqueues; the wait is then only a
        // fallback for retries and expired claims (and bounds how long a stop signal waits).
        if meterState.store is PostgresStore { consumer.pollInterval = 2 }
        let summary = try withStore { () throws(StoreError) in
            try consumer.run(
                store: meterState.store, sink: destination, once: once, shouldStop: { Interruption.isSet },
                log: { printError("meterscan: \($0)") })
        }
        let counts = try withStore { () throws(StoreError) in try meterState.store.queueCounts() }
        printError(
            "delivered \(summary.delivered), retrying \(summary.retried), dead-lettered \(summary.deadLettered); "
                + "queue: \(counts.pending) pending, \(counts.delivered) delivered, \(counts.dead) dead")
        if Interruption.isSet { throw ExitCode(130) }
        if once && (counts.pending > 0 || summary.deadLettered > 0) { throw ExitCode(1) }
    }
}
