import Dispatch
import Foundation
import MeterOCR
public import MeterQueue
import MeterReading
import Synchronization

/// The end-to-end benchmark behind `meterscan bench`: the real path (decode → read → validate
/// → enqueue into a throwaway state) over labelled photos, with throughput, latency
/// percentiles per photo and per stage, memory, and accuracy on the same run; optionally the
/// `tesseract` command line on the same photos as the peer a utility would otherwise use.
public struct Benchmark: Sendable {
    /// What to run.
    public struct Plan: Sendable {
        /// Labelled photos (cycled through until `count` photos were processed).
        public var photos: [LabelledPhoto]
        /// Photos to process in all.
        public var count: Int
        /// Worker threads.
        public var jobs: Int
        /// OCR engine.
        public var engine: EngineConfiguration
        /// Photos the peer reads (0: no peer).
        public var peerCount: Int

        /// A plan; `count` defaults to one pass over the photos.
        public init(photos: [LabelledPhoto], count: Int?, jobs: Int, engine: EngineConfiguration, peerCount: Int) {
            self.photos = photos
            self.count = max(1, count ?? photos.count)
            self.jobs = max(1, jobs)
            self.engine = engine
            self.peerCount = peerCount
        }
    }

    /// Percentiles of one series, in milliseconds.
    public struct Percentiles: Sendable, Encodable {
        /// Median.
        public var p50: Double
        /// 90th percentile.
        public var p90: Double
        /// 99th percentile.
        public var p99: Double
        /// Mean.
        public var mean: Double

        init(_ values: [Double]) {
            let sorted = values.sorted()
            func at(_ q: Double) -> Double {
                sorted.isEmpty ? 0 : rounded(sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.down)))])
            }
            p50 = at(0.5)
            p90 = at(0.9)
            p99 = at(0.99)
            mean = sorted.isEmpty ? 0 : rounded(sorted.reduce(0, +) / Double(sorted.count))
        }
    }

    /// The peer's figures on its share of the photos.
    public struct PeerReport: Sendable, Encodable {
        /// The command that was run per photo.
        public var command: String
        /// Photos it read.
        public var photos: Int
        /// Whole-run throughput.
        public var photosPerSecond: Double
        /// Exact integer readings among readable photos (longest digit run == label).
        public var integerExactRate: Double
        /// MeterScan's exact integer rate on the same photos.
        public var meterscanIntegerExactRate: Double
        /// MeterScan's throughput divided by the peer's.
        public var speedRatio: Double
    }

    /// Everything one run measured.
    public struct Report: Sendable, Encodable {
        /// Photos processed.
        public var photos: Int
        /// Worker threads.
        public var jobs: Int
        /// Wall time of the run, seconds.
        public var seconds: Double
        /// Throughput.
        public var photosPerSecond: Double
        /// Service time per photo (all stages, validate and enqueue included).
        public var latency: Percentiles
        /// Per stage (`timings_ms` keys plus `validate`).
        public var stages: [String: Percentiles]
        /// Peak resident set size, MB.
        public var peakRSSMB: Double
        /// Resident set size after 1,000 / 10,000 photos (MB), when the run got that far.
        public var rssMBAt: [String: Double]
        /// Accuracy of this run against the labels.
        public var accuracy: EvaluationReport.Rates
        /// The `tesseract` command line on the same photos, when asked for.
        public var peer: PeerReport?
    }

    /// Why a benchmark could not run.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// The plan this benchmark runs.
    public var plan: Plan

    /// A benchmark of `plan`.
    public init(plan: Plan) {
        self.plan = plan
    }

    /// Runs the plan against a fresh state directory under `scratch` (removed afterwards),
    /// with `store` or else the SQLite store in that directory.
    public func run(scratch: String, store: (any ReadingStore)? = nil) throws(Failure) -> Report {
        let directory = (scratch as NSString).appendingPathComponent("meterscan-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state: MeterState
        do {
            state = try MeterState(directory: directory, store: store)
            // Every labelled meter is registered without limits, so confident readings are
            // accepted and the enqueue is part of what is measured.
            let meters = Set(plan.photos.compactMap(\.meterNumber)).map { Meter(number: $0) }
            _ = try state.store.importMeters(meters)
        } catch let error as StateError {
            throw Failure(description: error.description)
        } catch {
            throw Failure(description: "\(error)")
        }
        let recorder = ReadingRecorder(state: state)
        let labels = (0..<plan.count).map { plan.photos[$0 % plan.photos.count] }
        let entries = labels.map { InputFiles.Entry.file($0.path) }
        var runner = ReadRunner(jobs: plan.jobs)
        // As batch and pipe do: the counter crop is kept as evidence.
        runner.keepsAuditCrops = true
        let collected = Mutex(Collected())
        let start = ContinuousClock.now
        do {
            try runner.run(entries, engine: plan.engine) { outcome in
                let validateStart = ContinuousClock.now
                collected.withLock { collected in
                    let label = labels[collected.count]
                    var result = outcome.result
                    do throws(StateError) {
                        result = try recorder.record(outcome, intake: Intake(meterNumber: label.meterNumber))
                    } catch {
                        collected.failure = collected.failure ?? error.description
                    }
                    let validate = milliseconds(validateStart.duration(to: .now))
                    result.timings["validate"] = rounded(validate)
                    // Only what the report needs is kept, so RSS shows the pipeline, not the harness.
                    collected.count += 1
                    collected.accuracy.add(label, result)
                    // Sub-stages ("locate.threshold") are inside their stage: count top-level ones only.
                    collected.latencies.append(result.timings.filter { !$0.key.contains(".") }.values.reduce(0, +))
                    for (stage, time) in result.timings { collected.stageTimes[stage, default: []].append(time) }
                    if collected.count <= plan.peerCount { collected.firstPass.append(result.reading?.integer) }
                    if [1000, 10_000].contains(collected.count) {
                        collected.rss["\(collected.count)"] = currentRSSMegabytes()
                    }
                }
            }
        } catch {
            throw Failure(description: "\(error)")
        }
        let seconds = milliseconds(start.duration(to: .now)) / 1000
        let done = collected.withLock { $0 }
        if let failure = done.failure { throw Failure(description: failure) }
        var report = Report(
            photos: done.count, jobs: plan.jobs, seconds: rounded(seconds),
            photosPerSecond: rounded(Double(done.count) / max(seconds, 1e-9)), latency: Percentiles(done.latencies),
            stages: done.stageTimes.mapValues(Percentiles.init), peakRSSMB: peakRSSMegabytes(), rssMBAt: done.rss,
            accuracy: done.accuracy.overall, peer: nil)
        if plan.peerCount > 0 {
            // The first `peerCount` photos of the run are the first `peerCount` of the plan.
            let sample = Array(plan.photos.prefix(plan.peerCount))
            report.peer = try runPeer(on: sample, ours: done.firstPass, ourRate: report.photosPerSecond)
        }
        return report
    }

    private struct Collected: Sendable {
        var count = 0
        var accuracy = EvaluationReport()
        var latencies: [Double] = []
        var stageTimes: [String: [Double]] = [:]
        /// Integer digits read for the first photos, to compare with the peer's.
        var firstPass: [String?] = []
        var rss: [String: Double] = [:]
        var failure: String?
    }

    /// The peer: `tesseract` on each whole photo, digits only, as many at once as we use workers.
    private func runPeer(on photos: [LabelledPhoto], ours: [String?], ourRate: Double) throws(Failure)
        -> PeerReport
    {
        let arguments = ["stdout", "--psm", "11", "-c", "tessedit_char_whitelist=0123456789"]
        let outputs = Mutex([String](repeating: "", count: photos.count))
        let start = ContinuousClock.now
        let failed = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: plan.jobs) { worker in
            for index in stride(from: worker, to: photos.count, by: plan.jobs) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/tesseract")
                process.arguments = [photos[index].path] + arguments
                process.environment = ["OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    failed.withLock { $0 = "cannot run /usr/bin/tesseract (apt install tesseract-ocr): \(error)" }
                    return
                }
                let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                outputs.withLock { $0[index] = text }
            }
        }
        if let failure = failed.withLock({ $0 }) { throw Failure(description: failure) }
        let seconds = milliseconds(start.duration(to: .now)) / 1000
        let texts = outputs.withLock { $0 }
        let readable = photos.indices.filter { !photos[$0].isUnreadable }
        let peerExact = readable.filter { Self.longestDigitRun(texts[$0]) == photos[$0].integer }.count
        let ourExact = readable.filter { $0 < ours.count && ours[$0] == photos[$0].integer }.count
        let peerRate = Double(photos.count) / max(seconds, 1e-9)
        return PeerReport(
            command: "tesseract PHOTO " + arguments.joined(separator: " "), photos: photos.count,
            photosPerSecond: rounded(peerRate), integerExactRate: rounded(share(peerExact, readable.count)),
            meterscanIntegerExactRate: rounded(share(ourExact, readable.count)),
            speedRatio: rounded(ourRate / max(peerRate, 1e-9)))
    }

    /// The longest run of digits in the peer's output: its best guess at the counter.
    static func longestDigitRun(_ text: String) -> String {
        text.split { !("0"..."9").contains($0) }.map(String.init).max { $0.count < $1.count } ?? ""
    }

    private func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
}

/// Peak resident set size of this process so far, MB (getrusage reports kilobytes on Linux).
func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return rounded(Double(usage.ru_maxrss) / 1024)
}

/// Current resident set size, MB, from /proc/self/statm.
func currentRSSMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return rounded(pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576)
}
