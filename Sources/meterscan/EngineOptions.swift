import ArgumentParser
import Foundation
import MeterPipeline

/// `--jobs`, `--tessdata` and `--model`: how many workers read, and with which OCR model.
struct EngineOptions: ParsableArguments {
    @Option(help: "Worker threads (default: number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("tessdata"), help: "Folder holding the .traineddata model (default: TESSDATA_PREFIX, then Debian's).")
    var tessdata: String?

    @Option(help: "Tesseract model: eng (stock, the default) or meterdigits (ours, bundled: better on real digit crops, slightly behind eng on the samples and not yet tuned for acceptance).")
    var model: String = "eng"

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    /// The engine the options describe.
    var configuration: EngineConfiguration { EngineConfiguration(dataPath: tessdata, language: model) }
}
