import ArgumentParser
import Foundation
import MeterPipeline

/// `--jobs`, `--tessdata` and `--model`: how many workers read, and with which OCR model.
struct EngineOptions: ParsableArguments {
    @Option(help: "Worker threads (default: number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("tessdata"), help: "Folder holding the model file: .traineddata, or digitnet.bin with its second opinion digitnet-2.bin if there is one (default: the bundle for ours, else TESSDATA_PREFIX, then Debian's).")
    var tessdata: String?

    @Option(help: "Recognition model: digitnet (our CNN cell classifier, bundled: reads the most, fastest; the default), meterdigits (our Tesseract model, bundled) or eng (stock Tesseract).")
    var model: String = EngineConfiguration.digitNetwork

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    /// The engine the options describe.
    var configuration: EngineConfiguration { EngineConfiguration(dataPath: tessdata, language: model) }
}
