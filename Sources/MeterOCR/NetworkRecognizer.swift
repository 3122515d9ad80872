import Foundation
public import MeterImage

/// Reads single digit cells with `DigitNetwork`, the small CNN trained in `training/cnn/`.
///
/// Trained on real meter digits (half-rolled drums included, which it answers with both
/// neighbours as its top two) and several times cheaper than a Tesseract call per cell
/// (training/cnn/README.md has the figures), but it classifies one cell at a time: it cannot
/// read a line (`readsLines` is false, `recognizeLine` returns nothing). Confidences are
/// softmax probabilities, temperature-calibrated on meters left out of training. With a second
/// network, a cell the first is not sure of is read by both and gets their mean probabilities
/// (a second opinion). Holds its networks and scratch buffers; one worker at a time, like every
/// recogniser.
public final class NetworkRecognizer: DigitRecognizer {
    /// The weights file of the first network.
    public var modelPath: String { modelPaths[0] }
    /// Every weights file loaded, the first network's first.
    public let modelPaths: [String]
    /// Top probability of the first network under which the others read the cell too.
    public let secondOpinionBelow: Double
    /// Alternatives reported per digit at most (the next most probable digits).
    public let maxAlternatives: Int
    /// The first network, which reads every cell.
    public var network: DigitNetwork { networks[0] }
    /// Every network loaded, in `modelPaths` order.
    public let networks: [DigitNetwork]

    /// Network input for the current cell, and its logits.
    private var input: [Float]
    private var logits: [Float]
    private var probabilities: [Double]
    /// One network's probabilities, before they are added into `probabilities`.
    private var single: [Double]
    /// Horizontal pass of the resize: one row per source row.
    private var rows: [Double] = []

    /// Loads the network from `modelPath` (a `digitnet.bin`).
    /// - Parameter maxAlternatives: how many runners-up to report (2: the top three digits).
    /// - Throws: `OCRError.modelMissing` when the file is not there, `OCRError.engineFailure`
    ///   when it is not a digitnet weights file.
    public convenience init(modelPath: String, maxAlternatives: Int = 2) throws(OCRError) {
        try self.init(modelPaths: [modelPath], maxAlternatives: maxAlternatives)
    }

    /// Loads the networks in `modelPaths` (weights files of one input size and class count).
    /// The first reads every cell; where its top probability is under `secondOpinionBelow`,
    /// and it takes the cell for a digit, the others read the cell too and the mean of all
    /// their probabilities counts: networks trained apart err on different cells, and the
    /// cells under 0.9 are those whose reading the acceptance threshold and the rolling rule
    /// turn on (surer cells were not changed by a second opinion on the tuning photos, and
    /// skipping them saves most of its cost). A cell the first takes for no digit (lettering,
    /// a frame, dials) is not asked about again: there the second opinion made rows of dials
    /// read as nothing, and lifted the doubt they cast on a wrong reading beside them. The
    /// second opinion may change the digit, or lower the confidence, but the reading is never
    /// surer than the first network was of its own: the cells it made sure were wrong too
    /// often (a drum caught rolling from 9 to 0 read 0 at 0.9 on a set only evaluated).
    /// - Throws: as `init(modelPath:)`, and `OCRError.engineFailure` when the networks differ
    ///   in input size or classes.
    public init(modelPaths: [String], secondOpinionBelow: Double = 0.9, maxAlternatives: Int = 2) throws(OCRError) {
        precondition(maxAlternatives >= 0, "negative maxAlternatives")
        precondition(!modelPaths.isEmpty, "no weights file")
        var networks: [DigitNetwork] = []
        for path in modelPaths {
            let network = try DigitNetwork(contentsOf: path)
            guard network.classCount == 10 || network.classCount == 11 else {
                throw .engineFailure(
                    "\(path) has \(network.classCount) classes, expected the ten digits (and not-a-digit)")
            }
            if let first = networks.first,
                (network.inputHeight, network.inputWidth, network.classCount)
                    != (first.inputHeight, first.inputWidth, first.classCount)
            {
                throw .engineFailure("\(path) does not match \(modelPaths[0]) in input size or classes")
            }
            networks.append(network)
        }
        let (height, width, classes) = (networks[0].inputHeight, networks[0].inputWidth, networks[0].classCount)
        self.modelPaths = modelPaths
        self.secondOpinionBelow = secondOpinionBelow
        self.maxAlternatives = maxAlternatives
        self.networks = networks
        self.input = [Float](repeating: 0, count: height * width)
        self.logits = [Float](repeating: 0, count: classes)
        self.probabilities = [Double](repeating: 0, count: classes)
        self.single = [Double](repeating: 0, count: classes)
    }

    /// The networks that ship with MeterScan (`Sources/MeterOCR/Models/digitnet.bin` and its
    /// second opinion `digitnet-2.bin`).
    /// - Throws: `OCRError.modelMissing` when the resource bundle is not beside the binary.
    public static func bundled(maxAlternatives: Int = 2) throws(OCRError) -> NetworkRecognizer {
        var paths: [String] = []
        for file in BundledModels.digitNetworkFiles {
            guard let path = BundledModels.path(of: file) else {
                throw .modelMissing(
                    "digit network \(file) not found: it ships with MeterScan "
                        + "(Sources/MeterOCR/Models, made by training/cnn/train.sh); rebuild, or pass the folder "
                        + "holding it.")
            }
            paths.append(path)
        }
        return try NetworkRecognizer(modelPaths: paths, maxAlternatives: maxAlternatives)
    }

    /// The networks in `folder`: its `digitnet.bin`, and its `digitnet-2.bin` as the second
    /// opinion when there is one (a folder holding one network runs that network alone).
    /// - Throws: as `init(modelPaths:)`; `OCRError.modelMissing` without `digitnet.bin`.
    public static func inFolder(_ folder: String, maxAlternatives: Int = 2) throws(OCRError) -> NetworkRecognizer {
        let paths = BundledModels.digitNetworkFiles.map { folder + "/" + $0 }
        let present = [paths[0]] + paths.dropFirst().filter { FileManager.default.fileExists(atPath: $0) }
        return try NetworkRecognizer(modelPaths: present, maxAlternatives: maxAlternatives)
    }

    /// A cell classifier reads no lines: the pipeline must not ask it for a second opinion.
    public var readsLines: Bool { false }

    /// An 11-class network has a class of its own for cells without a digit.
    public var recognizesNonDigits: Bool { network.classCount > 10 }

    /// The most probable digit with its softmax probability; the next digits as alternatives.
    /// A blank cell (no contrast) is `.empty`, as with `TesseractRecognizer`; so is a cell an
    /// 11-class network finds most likely to hold no digit (class 10: frame, background, a
    /// cell straddling two digits), so that the reader can drop it like Tesseract's nothing.
    public func recognizeDigit(_ cell: Image) throws(OCRError) -> DigitGuess {
        guard cell.width > 0, cell.height > 0 else { return .empty }
        let gray = cell.format == .gray ? cell : cell.grayscale()
        guard cellHasContrast(gray.pixels) else { return .empty }
        for index in probabilities.indices { probabilities[index] = 0 }
        var used = 0
        // Networks trained on different input steps each get their own input.
        var filledFor: Double? = nil
        // The first network's confidence in its own reading: no second opinion raises it.
        var firstConfidence = 1.0
        for network in networks {
            if used == 1 {
                firstConfidence = probabilities.max() ?? 0
                if firstConfidence >= secondOpinionBelow || Self.mostLikelyNoDigit(probabilities) { break }
            }
            if filledFor != network.minimumCellAspect {
                fillInput(gray, minimumAspect: network.minimumCellAspect)
                filledFor = network.minimumCellAspect
            }
            input.withUnsafeBufferPointer { input in
                logits.withUnsafeMutableBufferPointer { network.forward(input, logits: $0) }
            }
            // Softmax in Double, so that confidences near 1 still tell the runners-up apart.
            let top = logits.max() ?? 0
            var total = 0.0
            for index in logits.indices {
                single[index] = exp(Double(logits[index] - top))
                total += single[index]
            }
            // The running mean over the networks that read the cell so far.
            let weight = 1 / Double(used + 1)
            for index in logits.indices {
                probabilities[index] += (single[index] / total - probabilities[index]) * weight
            }
            used += 1
        }
        if Self.mostLikelyNoDigit(probabilities) { return .empty }
        // The best 1 + maxAlternatives digits, by repeated selection (ten classes; a
        // not-a-digit class only lowers their probabilities).
        var candidates: [DigitCandidate] = []
        candidates.reserveCapacity(1 + maxAlternatives)
        var taken = 0 as UInt64
        for _ in 0..<min(1 + maxAlternatives, 10) {
            var best = -1
            for index in 0..<10 where taken & (1 << UInt64(index)) == 0 {
                if best < 0 || probabilities[index] > probabilities[best] { best = index }
            }
            taken |= 1 << UInt64(best)
            // A second opinion may change the digit, or make the reading less sure, but never
            // surer than the first network was of its own reading (see `init(modelPaths:)`).
            let confidence = candidates.isEmpty ? min(probabilities[best], firstConfidence) : probabilities[best]
            candidates.append(DigitCandidate(Self.digitNames[best], confidence))
        }
        return DigitGuess(
            text: candidates[0].text, confidence: candidates[0].confidence,
            alternatives: Array(candidates.dropFirst()))
    }

    /// Whether class 10 ("no digit", of an 11-class network) is the most probable.
    private static func mostLikelyNoDigit(_ probabilities: [Double]) -> Bool {
        probabilities.count > 10 && probabilities.indices.max(by: { probabilities[$0] < probabilities[$1] }) == 10
    }

    private static let digitNames = (0..<10).map { String($0) }

    /// A cell classifier cannot read a line: always no guesses (see `readsLines`).
    public func recognizeLine(_ line: Image) throws(OCRError) -> [DigitGuess] { [] }

    /// The network input for a prepared gray cell, as `training/cnn/digitnet.py` `fit_input`
    /// makes it: the cell shrunk or grown by area averaging with its aspect ratio kept (a cell
    /// narrower than `minimumAspect`, by default the first network's, stretched to it),
    /// centred in the input frame, value (255 − gray) / 255 so ink is positive and the
    /// padding 0. Exposed for the tests that compare with the Python side.
    public func networkInput(for cell: Image, minimumAspect: Double? = nil) -> [Float] {
        let gray = cell.format == .gray ? cell : cell.grayscale()
        fillInput(gray, minimumAspect: minimumAspect ?? network.minimumCellAspect)
        return input
    }

    private func fillInput(_ cell: Image, minimumAspect: Double) {
        let frameHeight = network.inputHeight
        let frameWidth = network.inputWidth
        let (height, width) = (cell.height, cell.width)
        let fittedWidth = max(Double(width), minimumAspect * Double(height))
        let scale = min(Double(frameHeight) / Double(height), Double(frameWidth) / fittedWidth)
        let newHeight = min(frameHeight, max(1, Int((Double(height) * scale + 0.5).rounded(.down))))
        let newWidth = min(frameWidth, max(1, Int((fittedWidth * scale + 0.5).rounded(.down))))
        let top = (frameHeight - newHeight) / 2
        let left = (frameWidth - newWidth) / 2
        if rows.count < height * newWidth { rows = [Double](repeating: 0, count: height * newWidth) }
        let stepX = Double(width) / Double(newWidth)
        let stepY = Double(height) / Double(newHeight)
        cell.pixels.withUnsafeBufferPointer { pixels in
            rows.withUnsafeMutableBufferPointer { rows in
                input.withUnsafeMutableBufferPointer { input in
                    for index in input.indices { input[index] = 0 }
                    // Rows first: each output column averages the source columns it covers,
                    // weighted by overlap (the same sums as the Python weight matrices).
                    for y in 0..<height {
                        for out in 0..<newWidth {
                            rows[y * newWidth + out] = Self.areaSum(out, step: stepX, count: width) { x in
                                (255 - Double(pixels[y * width + x])) / 255
                            }
                        }
                    }
                    for out in 0..<newHeight {
                        for x in 0..<newWidth {
                            let value = Self.areaSum(out, step: stepY, count: height) { y in rows[y * newWidth + x] }
                            input[(top + out) * frameWidth + left + x] = Float(value)
                        }
                    }
                }
            }
        }
    }

    /// Overlap-weighted mean of the source samples under output pixel `out` (source span
    /// `[out·step, (out+1)·step)`).
    @inline(__always)
    private static func areaSum(_ out: Int, step: Double, count: Int, _ value: (Int) -> Double) -> Double {
        let start = Double(out) * step
        let end = Double(out + 1) * step
        var index = Int(start.rounded(.down))
        var sum = 0.0
        while index < count, Double(index) < end {
            let overlap = min(end, Double(index + 1)) - max(start, Double(index))
            sum += overlap / step * value(index)
            index += 1
        }
        return sum
    }
}
