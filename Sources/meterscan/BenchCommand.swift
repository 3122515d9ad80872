import ArgumentParser
import Foundation
import MeterPipeline
import MeterQueue
import MeterQueuePostgres

/// `meterscan bench`: end-to-end throughput, latency, memory and accuracy of the real path.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark decode → read → validate → enqueue on labelled photos (release builds only).",
        discussion: """
            Reads the photos of a manifest (samples/manifest.csv format) --count times in all, \
            through a throwaway state directory where every labelled meter is registered, and \
            prints photos/s, latency percentiles per photo and per stage, peak RSS (and RSS \
            after 1,000 and 10,000 photos), and accuracy on the same run. The first --peer \
            photos are also read by the `tesseract` command line (digits only), the tool a \
            utility would otherwise script, and both are compared. Compare figures within one \
            run: the machines are shared. With --store the readings go to that PostgreSQL \
            database (give an empty one) instead of a throwaway SQLite file; --shard K/N reads \
            every N-th photo from the K-th on, so N benchmarks side by side share the photos.
            """
    )

    @Option(help: "Manifest of labelled photos.")
    var photos: String = "samples/manifest.csv"

    @Option(help: "Photos to process in all (default: each photo once).")
    var count: Int?

    @OptionGroup var engine: EngineOptions

    @Option(help: "Photos the tesseract peer reads (0: skip the peer).")
    var peer: Int = 20

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(name: .customLong("store"), help: ArgumentHelp("PostgreSQL store to measure against (an empty database).", valueName: "url"))
    var storeURL: String?

    @Option(help: ArgumentHelp("Read only shard K of N of the photos (e.g. 1/2).", valueName: "K/N"))
    var shard: String?

    /// `--shard K/N` as (K, N), 1 ≤ K ≤ N.
    var shardParts: (index: Int, of: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else { return nil }
        return (parts[0], parts[1])
    }

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1.") }
        if peer < 0 { throw ValidationError("--peer must not be negative.") }
        if shard != nil && shardParts == nil { throw ValidationError("--shard must be K/N with 1 ≤ K ≤ N (got '\(shard!)').") }
    }

    func run() throws {
        #if DEBUG
            printError("meterscan: bench measures release builds only: swift build -c release, then .build/release/meterscan bench")
            throw ExitCode(64)
        #else
            var labels: [LabelledPhoto]
            do {
                labels = try loadManifest(photos)
                if let (index, of) = shardParts {
                    labels = labels.enumerated().filter { $0.offset % of == index - 1 }.map(\.element)
                }
            } catch {
                printError("meterscan: \(error)")
                throw ExitCode(2)
            }
            guard !labels.isEmpty else {
                printError("meterscan: \(photos) lists no photos")
                throw ExitCode(2)
            }
            let plan = Benchmark.Plan(
                photos: labels, count: count, jobs: engine.jobs, engine: engine.configuration,
                peerCount: min(peer, labels.count))
            let report: Benchmark.Report
            do {
                let store: (any ReadingStore)? = try storeURL.map { try PostgresStore(location: PostgresLocation(url: $0)) }
                report = try Benchmark(plan: plan).run(scratch: NSTemporaryDirectory(), store: store)
            } catch {
                printError("meterscan: \(error)")
                throw ExitCode(2)
            }
            if json {
                let output = LineWriter()
                output.write(try output.json(report))
            } else {
                print(Self.text(report))
            }
        #endif
    }

    static func text(_ report: Benchmark.Report) -> String {
        func ms(_ value: Double) -> String { String(format: "%.1f", value) }
        var lines = [
            "\(report.photos) photos, \(report.jobs) job(s): \(String(format: "%.1f", report.photosPerSecond)) photos/s "
                + "(\(String(format: "%.2f", report.seconds)) s), peak RSS \(String(format: "%.0f", report.peakRSSMB)) MB"
        ]
        if !report.rssMBAt.isEmpty {
            lines.append(
                "RSS after " + report.rssMBAt.sorted { Int($0.key)! < Int($1.key)! }
                    .map { "\($0.key) photos: \(String(format: "%.0f", $0.value)) MB" }.joined(separator: ", "))
        }
        var rows = [["stage", "p50 ms", "p90 ms", "p99 ms", "mean ms"]]
        rows.append(["photo", ms(report.latency.p50), ms(report.latency.p90), ms(report.latency.p99), ms(report.latency.mean)])
        for (stage, value) in report.stages.sorted(by: { $0.value.mean > $1.value.mean }) {
            rows.append([stage, ms(value.p50), ms(value.p90), ms(value.p99), ms(value.mean)])
        }
        lines.append(table(rows))
        let accuracy = report.accuracy
        lines.append(
            String(
                format: "accuracy: %.1f%% exact integer of %d readable, %.1f%% wrong-accepted; %d accepted, %d review, %d rejected",
                accuracy.integerExactRate * 100, accuracy.readable, accuracy.wrongAcceptedRate * 100, accuracy.accepted,
                accuracy.review, accuracy.rejected))
        if let peer = report.peer {
            lines.append(
                String(
                    format: "peer (%@) on %d photos: %.2f photos/s, %.1f%% exact integer; meterscan on the same photos %.1f%%; meterscan is %.0f× faster",
                    peer.command, peer.photos, peer.photosPerSecond, peer.integerExactRate * 100,
                    peer.meterscanIntegerExactRate * 100, peer.speedRatio))
        }
        return lines.joined(separator: "\n")
    }
}
