import Foundation

/// A small convolutional classifier for one digit cell, loaded from a `digitnet.bin` weights
/// file written by `training/cnn/train.py` (format in `training/cnn/README.md`).
///
/// The forward pass is the one in `training/cnn/digitnet.py`: per convolution layer a 3×3
/// convolution with zero padding, ReLU and a 2×2 max pool, then dense layers with ReLU between
/// them; the last layer gives one logit per class (the ten digits, and in an 11-class net
/// "not a digit"). The file stores the trainer's layouts (channels first); at load time they
/// are rearranged channels-last, so that eight output channels of a pixel are two SIMD4
/// accumulators and the taps of a kernel row are contiguous.
/// The weights are immutable; the activations live in scratch buffers owned by the instance, so
/// one instance serves one worker at a time (like the recognisers that own it) and a call
/// allocates nothing.
public final class DigitNetwork {
    /// Height of the network's input, in pixels.
    public let inputHeight: Int
    /// Width of the network's input, in pixels.
    public let inputWidth: Int
    /// Number of classes (logits) the network gives: the digits 0…9, and class 10 ("not a
    /// digit") in an 11-class net.
    public let classCount: Int
    /// Number of weights and biases.
    public let parameterCount: Int
    /// Narrowest cell, as width over height, the network takes as it is: a narrower cell is
    /// stretched to this aspect on its way into the input (weights file version 2; 0, none,
    /// in version 1). Condensed drum typefaces then look like the wider ones trained on.
    public let minimumCellAspect: Double

    private let layers: [Layer]
    /// Weights kept subnormal after loading (none: they are flushed to zero).
    var subnormalWeightCount: Int { layers.reduce(0) { $0 + $1.weights.count(where: \.isSubnormal) } }
    /// Ping-pong activation buffers, each large enough for any layer's padded input or output.
    private var bufferA: [Float]
    private var bufferB: [Float]
    /// One convolution's output before pooling (H×W×C).
    private var plane: [Float]

    /// One layer as stored in the file.
    private struct Layer {
        enum Kind: UInt32 { case convolution = 1, denseReLU = 2, dense = 3 }
        let kind: Kind
        let inputs: Int
        let outputs: Int
        /// Spatial size of a convolution's input (before pooling); 0 for dense layers.
        let height: Int
        let width: Int
        /// Convolutions `[ky][kx][in][out]`; dense layers `[out][in]`, with `in` in the
        /// channels-last order of the activations (the file has channels first).
        let weights: [Float]
        let biases: [Float]
    }

    /// Loads the weights file at `path`.
    /// - Throws: `OCRError.modelMissing` when there is no such file, `OCRError.engineFailure`
    ///   when it is not a digitnet weights file.
    public convenience init(contentsOf path: String) throws(OCRError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .modelMissing(
                "digit network \(path) not found: digitnet.bin ships with MeterScan (Sources/MeterOCR/Models, "
                    + "made by training/cnn/train.sh); rebuild, or pass the folder holding digitnet.bin.")
        }
        try self.init(bytes: [UInt8](data), name: path)
    }

    /// Parses a weights file held in memory; `name` is used in error messages.
    /// - Throws: `OCRError.engineFailure` when the bytes are not a consistent digitnet file.
    public init(bytes: [UInt8], name: String = "digitnet.bin") throws(OCRError) {
        var reader = LittleEndianReader(bytes: bytes)
        func fail(_ reason: String) -> OCRError { .engineFailure("\(name) is not a digitnet weights file: \(reason)") }
        guard reader.take(4) == Array("DGN1".utf8) else { throw fail("bad magic") }
        guard let version = reader.uint32(), version == 1 || version == 2 else { throw fail("unknown version") }
        guard let height = reader.uint32(), let width = reader.uint32(), let count = reader.uint32(),
            (1...4096).contains(height), (1...4096).contains(width), (1...64).contains(count)
        else { throw fail("bad header") }
        var minimumAspect = 0.0
        if version == 2 {
            guard let aspect = reader.floats(1)?.first, aspect.isFinite, (0...4).contains(aspect) else {
                throw fail("bad minimum cell aspect")
            }
            minimumAspect = Double(aspect)
        }
        var layers: [Layer] = []
        // Shape of the activation flowing into the next layer: channels × h × w (convolutions)
        // or a flat vector of `flat` values.
        var channels = 1
        var h = Int(height)
        var w = Int(width)
        var flat: Int? = nil
        var largest = (h + 2) * (w + 2)
        var largestPlane = 0
        var parameters = 0
        for index in 0..<Int(count) {
            guard let rawKind = reader.uint32(), let kind = Layer.Kind(rawValue: rawKind),
                let inputs = reader.uint32().map(Int.init), let outputs = reader.uint32().map(Int.init),
                (1...65536).contains(inputs), (1...65536).contains(outputs)
            else { throw fail("bad header of layer \(index)") }
            let weightCount: Int
            switch kind {
            case .convolution:
                guard flat == nil, inputs == channels, h % 2 == 0, w % 2 == 0 else {
                    throw fail("layer \(index): convolution does not fit its input")
                }
                weightCount = outputs * inputs * 9
            case .denseReLU, .dense:
                let incoming = flat ?? channels * h * w
                guard inputs == incoming else { throw fail("layer \(index): dense layer expects \(incoming) inputs") }
                weightCount = outputs * inputs
            }
            guard var weights = reader.floats(weightCount), let biases = reader.floats(outputs) else {
                throw fail("layer \(index) is cut short")
            }
            // Weight decay leaves thousands of weights subnormal (under 1e-38); x86 multiplies
            // those dozens of times slower, which cost a third of a cell's time. As zeros they
            // change no logit by anything a float can show.
            for i in weights.indices where weights[i].isSubnormal { weights[i] = 0 }
            if kind == .convolution {
                guard outputs % 8 == 0 else { throw fail("layer \(index): convolution outputs must be a multiple of 8") }
                weights = Self.channelsLastKernels(weights, inputs: inputs, outputs: outputs)
            } else if flat == nil {
                weights = Self.channelsLastColumns(weights, outputs: outputs, channels: channels, height: h, width: w)
            }
            layers.append(
                Layer(
                    kind: kind, inputs: inputs, outputs: outputs, height: kind == .convolution ? h : 0,
                    width: kind == .convolution ? w : 0, weights: weights, biases: biases))
            parameters += weightCount + outputs
            if kind == .convolution {
                largestPlane = max(largestPlane, h * w * outputs)
                channels = outputs
                h /= 2
                w /= 2
                largest = max(largest, channels * (h + 2) * (w + 2))
            } else {
                guard kind == .denseReLU || index == Int(count) - 1 else { throw fail("logits before the last layer") }
                flat = outputs
                largest = max(largest, outputs)
            }
        }
        guard reader.isAtEnd else { throw fail("trailing bytes") }
        guard let last = layers.last, last.kind == .dense else { throw fail("the last layer must give the logits") }
        self.inputHeight = Int(height)
        self.inputWidth = Int(width)
        self.classCount = last.outputs
        self.parameterCount = parameters
        self.minimumCellAspect = minimumAspect
        self.layers = layers
        self.bufferA = [Float](repeating: 0, count: largest)
        self.bufferB = [Float](repeating: 0, count: largest)
        self.plane = [Float](repeating: 0, count: max(1, largestPlane))
    }

    /// The logits for one input of `inputHeight × inputWidth` values (row by row, ink
    /// positive, background 0; see `NetworkRecognizer`), written to `logits` (`classCount`).
    public func forward(_ input: UnsafeBufferPointer<Float>, logits: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count == inputHeight * inputWidth, "input must be inputHeight × inputWidth")
        precondition(logits.count == classCount, "logits must hold classCount values")
        bufferA.withUnsafeMutableBufferPointer { a in
            bufferB.withUnsafeMutableBufferPointer { b in
                plane.withUnsafeMutableBufferPointer { plane in
                    // The first convolution reads a zero-padded copy of the input (one
                    // channel: channels-last is the plain image).
                    let paddedWidth = inputWidth + 2
                    for index in 0..<((inputHeight + 2) * paddedWidth) { a[index] = 0 }
                    for y in 0..<inputHeight {
                        for x in 0..<inputWidth {
                            a[(y + 1) * paddedWidth + x + 1] = input[y * inputWidth + x]
                        }
                    }
                    var source = a
                    var target = b
                    for (index, layer) in layers.enumerated() {
                        let isLast = index == layers.count - 1
                        let output = isLast ? logits : target
                        switch layer.kind {
                        case .convolution:
                            // Padded output unless the next layer is dense (then flat, C×H×W).
                            let nextIsConvolution = index + 1 < layers.count && layers[index + 1].kind == .convolution
                            Self.convolve(layer, source, plane, output, padOutput: nextIsConvolution)
                        case .denseReLU:
                            Self.dense(layer, source, output, relu: true)
                        case .dense:
                            Self.dense(layer, source, output, relu: false)
                        }
                        swap(&source, &target)
                    }
                }
            }
        }
    }

    /// The logits for `input` (convenience for tests and tools; allocates the result).
    public func logits(_ input: [Float]) -> [Float] {
        var result = [Float](repeating: 0, count: classCount)
        input.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { forward(input, logits: $0) }
        }
        return result
    }

    // MARK: - Kernels

    /// 3×3 convolution over a zero-padded (H+2)×(W+2)×C input (channels last), ReLU, 2×2 max
    /// pool. Two neighbouring output pixels and eight output channels at a time: four SIMD4
    /// accumulators (SSE registers on the x86-64 baseline) take the 3×3×C taps, each weight
    /// load serving both pixels; a kernel row's taps are 3·C contiguous inputs. Wrapping
    /// arithmetic and pointer steps keep overflow checks out of the inner loop (measured:
    /// 2.5× faster than one pixel with SIMD8 and checked index arithmetic).
    private static func convolve(
        _ layer: Layer, _ input: UnsafeMutableBufferPointer<Float>, _ plane: UnsafeMutableBufferPointer<Float>,
        _ output: UnsafeMutableBufferPointer<Float>, padOutput: Bool
    ) {
        let h = layer.height
        let w = layer.width
        let channels = layer.inputs
        let outputs = layer.outputs
        let rowStride = (w + 2) * channels
        let span = 3 * channels
        let weightStep = outputs * 4
        let source = UnsafePointer(input.baseAddress!)
        layer.weights.withUnsafeBufferPointer { weights in
            layer.biases.withUnsafeBufferPointer { biases in
                let kernel = UnsafeRawPointer(weights.baseAddress!)
                let bias = UnsafeRawPointer(biases.baseAddress!)
                let result = UnsafeMutableRawPointer(plane.baseAddress!)
                for y in 0..<h {
                    // w is even (checked at load): pixels x and x + 1.
                    for x in stride(from: 0, to: w, by: 2) {
                        let base = y &* rowStride &+ x &* channels
                        for block in 0..<(outputs / 8) {
                            var left0 = bias.loadUnaligned(fromByteOffset: block &* 32, as: SIMD4<Float>.self)
                            var left1 = bias.loadUnaligned(fromByteOffset: block &* 32 &+ 16, as: SIMD4<Float>.self)
                            var right0 = left0
                            var right1 = left1
                            for ky in 0..<3 {
                                var tap = source + (base &+ ky &* rowStride)
                                var k = kernel + ((ky &* span &* outputs &+ block &* 8) &* 4)
                                for _ in 0..<span {
                                    let k0 = k.loadUnaligned(as: SIMD4<Float>.self)
                                    let k1 = k.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
                                    let u = SIMD4<Float>(repeating: tap.pointee)
                                    let v = SIMD4<Float>(repeating: tap[channels])
                                    // Not addProduct: without FMA in the target it becomes a
                                    // correctly rounded software fma per lane.
                                    left0 += u * k0
                                    left1 += u * k1
                                    right0 += v * k0
                                    right1 += v * k1
                                    tap += 1
                                    k += weightStep
                                }
                            }
                            let to = ((y &* w &+ x) &* outputs &+ block &* 8) &* 4
                            result.storeBytes(of: left0, toByteOffset: to, as: SIMD4<Float>.self)
                            result.storeBytes(of: left1, toByteOffset: to &+ 16, as: SIMD4<Float>.self)
                            result.storeBytes(of: right0, toByteOffset: to &+ weightStep, as: SIMD4<Float>.self)
                            result.storeBytes(of: right1, toByteOffset: to &+ weightStep &+ 16, as: SIMD4<Float>.self)
                        }
                    }
                }
            }
        }
        // Pool, then ReLU (the same as ReLU then pool).
        let oh = h / 2
        let ow = w / 2
        let outRow = padOutput ? ow + 2 : ow
        let offset = padOutput ? outRow + 1 : 0
        if padOutput {
            for index in 0..<((oh + 2) * outRow * outputs) { output[index] = 0 }
        }
        for y in 0..<oh {
            for x in 0..<ow {
                let topLeft = (2 * y * w + 2 * x) * outputs
                let below = w * outputs
                let target = (offset + y * outRow + x) * outputs
                for o in 0..<outputs {
                    let m = max(
                        max(plane[topLeft + o], plane[topLeft + outputs + o]),
                        max(plane[topLeft + below + o], plane[topLeft + below + outputs + o]))
                    output[target + o] = max(m, 0)
                }
            }
        }
    }

    /// `[out][in][ky][kx]` → `[ky][kx][in][out]`.
    private static func channelsLastKernels(_ weights: [Float], inputs: Int, outputs: Int) -> [Float] {
        var result = [Float](repeating: 0, count: weights.count)
        for o in 0..<outputs {
            for c in 0..<inputs {
                for tap in 0..<9 {
                    result[(tap * inputs + c) * outputs + o] = weights[(o * inputs + c) * 9 + tap]
                }
            }
        }
        return result
    }

    /// A dense layer after a convolution: its input columns from channel-major (C×H×W, as the
    /// file has them) to channels-last (H×W×C, as the activations are).
    private static func channelsLastColumns(_ weights: [Float], outputs: Int, channels: Int, height: Int, width: Int)
        -> [Float]
    {
        let n = channels * height * width
        var result = [Float](repeating: 0, count: weights.count)
        for o in 0..<outputs {
            for c in 0..<channels {
                for p in 0..<(height * width) {
                    result[o * n + p * channels + c] = weights[o * n + c * height * width + p]
                }
            }
        }
        return result
    }

    /// `output = W · input + b` (ReLU optional). Eight partial sums, so the reduction
    /// vectorises (the compiler may not reorder a plain float sum).
    private static func dense(
        _ layer: Layer, _ input: UnsafeMutableBufferPointer<Float>, _ output: UnsafeMutableBufferPointer<Float>,
        relu: Bool
    ) {
        let n = layer.inputs
        let blocks = n / 8
        let raw = UnsafeRawPointer(input.baseAddress!)
        layer.weights.withUnsafeBufferPointer { weights in
            let weightsRaw = UnsafeRawPointer(weights.baseAddress!)
            for o in 0..<layer.outputs {
                let row = o * n
                var partial = SIMD8<Float>()
                for block in 0..<blocks {
                    let i = block * 8
                    let x = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    let k = weightsRaw.loadUnaligned(fromByteOffset: (row + i) * 4, as: SIMD8<Float>.self)
                    partial += x * k
                }
                var sum = partial.sum() + layer.biases[o]
                for i in (blocks * 8)..<n { sum += weights[row + i] * input[i] }
                output[o] = relu ? max(sum, 0) : sum
            }
        }
    }
}

/// Reads little-endian values from a byte array, front to back.
private struct LittleEndianReader {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - position >= count else { return nil }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func uint32() -> UInt32? {
        guard let b = take(4) else { return nil }
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    mutating func floats(_ count: Int) -> [Float]? {
        guard count >= 0, bytes.count - position >= 4 * count else { return nil }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let p = position + 4 * index
            let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
            values[index] = Float(bitPattern: bits)
        }
        position += 4 * count
        return values
    }
}
