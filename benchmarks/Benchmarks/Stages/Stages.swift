import Benchmark
import Foundation
import MeterImage
import MeterOCR
import MeterPipeline
import MeterQueue
import MeterReading
import MeterVision

/// The photos the stages run on: a 1600×1200 sample, and a 4000×3000 original when
/// `make-fixtures.sh` has made one (it is not committed: 1 MB of JPEG).
private enum Inputs {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let photo = bytes("../samples/photos/0016.jpg")
    static let large = bytes(".fixtures/photo-4000x3000.jpg")

    static func bytes(_ relative: String) -> [UInt8]? {
        FileManager.default.contents(atPath: root.appendingPathComponent(relative).path).map { [UInt8]($0) }
    }

    static func options(_ format: PixelFormat, minimum: (Int, Int)? = nil) -> DecodeOptions {
        var options = DecodeOptions()
        options.pixelFormat = format
        options.minimumSize = minimum
        return options
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(3))

    guard let photoBytes = Inputs.photo else { fatalError("samples/photos/0016.jpg is missing") }
    for (name, format) in [("gray", PixelFormat.gray), ("rgb", PixelFormat.rgb)] {
        Benchmark("decode 1600x1200 \(name)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try decode(photoBytes, options: Inputs.options(format))) }
        }
    }
    if let large = Inputs.large {
        Benchmark("decode 4000x3000 gray full") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try decode(large, options: Inputs.options(.gray))) }
        }
        Benchmark("decode 4000x3000 rgb DCT-scaled to >=1000") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try decode(large, options: Inputs.options(.rgb, minimum: (1000, 1000))))
            }
        }
    }

    let photo = try! decode(photoBytes, options: Inputs.options(.rgb)).image
    let small = photo.grayDownscaled(by: 2)
    let locator = CounterLocator()
    let candidates = locator.locate(small).map { $0.scaled(by: 2) }
    Benchmark("vision: gray 2x downscale") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(photo.grayDownscaled(by: 2)) }
    }
    Benchmark("vision: locate counter (800x600)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(locator.locate(small)) }
    }
    Benchmark("vision: histogram + otsu (800x600)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Threshold.otsu(Threshold.histogram(small))) }
    }
    Benchmark("vision: sharpness") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Sharpness.edgeRatio(small)) }
    }
    guard let candidate = candidates.first else { fatalError("no counter found in the benchmark photo") }
    let extractor = CounterExtractor()
    let crop = extractor.extract(candidate, from: photo)
    Benchmark("vision: deskew + segment one counter") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(extractor.extract(candidate, from: photo)) }
    }
    let cells = crop.cells.map { prepareCellForOCR($0.image) }
    Benchmark("vision: prepare cells") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(crop.cells.map { prepareCellForOCR($0.image) }) }
    }

    for model in ["eng", "meterdigits"] {
        guard let recognizer = try? EngineConfiguration(language: model).makeRecognizer() else { continue }
        Benchmark("tesseract \(model): one cell") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try recognizer.recognizeDigit(cells[0])) }
        }
        Benchmark("tesseract \(model): counter line") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try recognizer.recognizeLine(crop.strip)) }
        }
    }

    let meter = Meter(
        number: "12345678", integerDigits: 5, fractionDigits: 3, maxPerDay: 5,
        reference: ConfirmedReading(value: MeterValue(units: 1500), readAt: Date(timeIntervalSinceNow: -864_000)))
    let recognized = RecognizedReading(integer: "01510", fraction: "250", status: .accepted, reasons: [])
    let validator = ReadingValidator()
    Benchmark("validate one reading") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                validator.validate(
                    recognized, in: ValidationContext(meter: meter, readAt: Date(), imageSHA256: "x")))
        }
    }

    let directory = NSTemporaryDirectory() + "meterscan-bench-\(UUID().uuidString)"
    let store = try! SQLiteStore(directory: directory)
    _ = try! store.importMeters([Meter(number: "12345678")])
    Benchmark("store: decide + enqueue one accepted reading") { benchmark in
        for index in benchmark.scaledIterations {
            let request = DecisionRequest(
                imageSHA256: "\(UUID().uuidString)-\(index)",
                recognized: RecognizedReading(
                    integer: String(format: "%08d", 1500 + index), fraction: nil, status: .accepted, reasons: []),
                confidence: 0.97, receivedAt: Date(), meterNumber: "12345678")
            blackHole(try store.decide(request, validator: validator))
        }
    }
}
