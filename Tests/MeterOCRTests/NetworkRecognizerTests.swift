import Foundation
import MeterImage
@testable import MeterOCR
import Testing

@Suite("The digit network (digitnet)")
struct NetworkRecognizerTests {
    static func recognizer() throws -> NetworkRecognizer { try NetworkRecognizer.bundled() }

    /// The Swift input step and forward pass give the logits the Python training script gave
    /// for the same prepared cells, with each shipped network (NetworkRecognizerFixture.swift
    /// and SecondNetworkFixture.swift, written from the weights; the second network stretches
    /// the narrow cell).
    @Test func forwardPassMatchesPython() throws {
        let recognizer = try Self.recognizer()
        let cells = Dictionary(
            uniqueKeysWithValues: NetworkRecognizerFixture.cases.map {
                ($0.name, Image(width: $0.width, height: $0.height, format: .gray, pixels: hexBytes($0.pixelsHex)))
            })
        let logitsByNetwork = [
            NetworkRecognizerFixture.cases.map { ($0.name, $0.logits) },
            SecondNetworkFixture.cases.map { ($0.name, $0.logits) },
        ]
        for (network, fixtures) in zip(recognizer.networks, logitsByNetwork) {
            #expect(fixtures.count == cells.count)
            for (name, expected) in fixtures {
                let cell = try #require(cells[name])
                let input = recognizer.networkInput(for: cell, minimumAspect: network.minimumCellAspect)
                let logits = network.logits(input)
                #expect(logits.count == expected.count)
                let worst = zip(logits, expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(worst < 1e-3, "\(name): logits \(logits) vs Python \(expected)")
            }
        }
    }

    /// The fixture's real cells are read as the digit their name says (they are training crops).
    @Test func readsTheFixtureDigits() throws {
        let recognizer = try Self.recognizer()
        for fixture in NetworkRecognizerFixture.cases where fixture.name.contains(".jpg (") {
            let cell = Image(width: fixture.width, height: fixture.height, format: .gray, pixels: hexBytes(fixture.pixelsHex))
            let guess = try recognizer.recognizeDigit(cell)
            let expected = String(fixture.name.split(separator: "(")[1].prefix(1))
            #expect(guess.text == expected, "\(fixture.name) read as \(guess.text)")
        }
    }

    @Test func blankCellIsEmpty() throws {
        let recognizer = try Self.recognizer()
        #expect(try recognizer.recognizeDigit(Image(width: 26, height: 48, format: .gray, filledWith: 250)) == .empty)
        // JPEG-like noise below the contrast floor is still blank.
        let noisy = (0..<(26 * 48)).map { UInt8(200 + $0 % 7) }
        #expect(try recognizer.recognizeDigit(Image(width: 26, height: 48, format: .gray, pixels: noisy)) == .empty)
        #expect(try recognizer.recognizeDigit(Image(width: 0, height: 0, format: .gray, pixels: [])) == .empty)
    }

    /// Top class with its softmax probability, the next two as alternatives, most likely first.
    @Test func guessCarriesTopThree() throws {
        let recognizer = try Self.recognizer()
        let guess = try recognizer.recognizeDigit(SyntheticDigits.render("7"))
        #expect(guess.alternatives.count == 2)
        let all = [DigitCandidate(guess.text, guess.confidence)] + guess.alternatives
        #expect(Set(all.map(\.text)).count == 3)
        #expect(all.allSatisfy { $0.text.count == 1 && $0.text.first!.isNumber })
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.confidence >= $1.confidence })
        #expect(all.map(\.confidence).reduce(0, +) <= 1.000001)
        #expect(guess.confidence > 0 && guess.confidence <= 1)
        // RGB cells are read like their gray version.
        let gray = SyntheticDigits.render("4")
        let rgb = Image(width: gray.width, height: gray.height, format: .rgb, pixels: gray.pixels.flatMap { [$0, $0, $0] })
        #expect(try recognizer.recognizeDigit(rgb).text == recognizer.recognizeDigit(gray).text)
    }

    @Test func readsNoLines() throws {
        let recognizer = try Self.recognizer()
        #expect(!recognizer.readsLines)
        #expect(try recognizer.recognizeLine(SyntheticDigits.render("123")).isEmpty)
        // Every other engine keeps the protocol default.
        #expect(NullRecognizer().readsLines)
    }

    /// The shipped weights hold thousands of subnormal floats (left by weight decay), which x86
    /// multiplies many times slower: loading flushes them to zero.
    @Test func flushesSubnormalWeightsToZero() throws {
        let path = try #require(BundledModels.path(of: BundledModels.digitNetworkFile))
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let inFile = stride(from: 20, to: bytes.count - 3, by: 4).count { offset in
            let bits = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                | UInt32(bytes[offset + 3]) << 24
            return Float(bitPattern: bits).isSubnormal
        }
        #expect(inFile > 1000)
        #expect(try DigitNetwork(bytes: bytes).subnormalWeightCount == 0)
    }

    @Test func refusesBrokenWeights() {
        #expect(throws: OCRError.self) { try DigitNetwork(bytes: Array("DGN1".utf8)) }
        #expect(throws: OCRError.self) { try DigitNetwork(bytes: [1, 2, 3]) }
        #expect(throws: OCRError.self) { try NetworkRecognizer(modelPath: "/nonexistent/digitnet.bin") }
    }

    /// An 11-class network's class 10 means "no digit here": such a cell reads as nothing, and
    /// otherwise class 10 never appears among the alternatives.
    @Test func notADigitClassReadsAsEmpty() throws {
        let blank = Image(width: 26, height: 48, format: .gray, pixels: (0..<(26 * 48)).map { UInt8($0 % 26 * 9) })
        let noDigit = try Self.denseOnlyRecognizer(favouring: 10)
        #expect(try noDigit.recognizeDigit(blank) == .empty)
        let three = try Self.denseOnlyRecognizer(favouring: 3)
        let guess = try three.recognizeDigit(blank)
        #expect(guess.text == "3")
        #expect(guess.alternatives.count == 2 && guess.alternatives.allSatisfy { $0.text.count == 1 })
        // 5 against ten zeros: e^5 / (e^5 + 10).
        #expect(abs(guess.confidence - exp(5) / (exp(5) + 10)) < 1e-6)
    }

    /// A recogniser whose network is one dense layer from the 32×24 input straight to 11
    /// logits, all weights 0 and the bias 5 for `favoured` (loaded from a temporary file).
    static func denseOnlyRecognizer(favouring favoured: Int) throws -> NetworkRecognizer {
        let path = try denseOnlyWeights(biases: (0..<11).map { $0 == favoured ? 5 : 0 }, name: "\(favoured)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try NetworkRecognizer(modelPath: path)
    }

    /// A temporary weights file of one dense layer from the 32×24 input to 11 logits, all
    /// weights 0, with `biases` as the logits of every cell.
    /// With `minimumAspect`, a version 2 file that records it.
    static func denseOnlyWeights(biases: [Float], name: String, minimumAspect: Float? = nil) throws -> String {
        var bytes = Array("DGN1".utf8)
        func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        func append(_ value: Float) { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        for value: UInt32 in [minimumAspect == nil ? 1 : 2, 32, 24, 1] { append(value) }
        if let minimumAspect { append(minimumAspect) }
        for value: UInt32 in [3, 32 * 24, 11] { append(value) }
        for _ in 0..<(32 * 24 * 11) { append(Float(0)) }
        for bias in biases { append(bias) }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("digitnet-test-\(name)-\(ProcessInfo.processInfo.processIdentifier).bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A cell the first network is not sure of (under `secondOpinionBelow`) gets the mean of
    /// both networks' probabilities, which may pick the second's digit, at no more than the
    /// first's own confidence; a cell it is sure of, or takes for no digit, keeps its own
    /// reading. Networks of different shapes are refused.
    @Test func secondNetworkIsConsultedOnlyForUnsureCells() throws {
        let blank = Image(width: 26, height: 48, format: .gray, pixels: (0..<(26 * 48)).map { UInt8($0 % 26 * 9) })
        // First: 3 at e^2 / (e^2 + 10) = 0.42, 5 next at 1 / (e^2 + 10). Second: 5 at 0.94.
        let unsure = try Self.denseOnlyWeights(biases: (0..<11).map { $0 == 3 ? 2 : 0 }, name: "unsure3")
        let sure = try Self.denseOnlyWeights(biases: (0..<11).map { $0 == 3 ? 9 : 0 }, name: "sure3")
        let five = try Self.denseOnlyWeights(biases: (0..<11).map { $0 == 5 ? 5 : 0 }, name: "five")
        defer { for path in [unsure, sure, five] { try? FileManager.default.removeItem(atPath: path) } }
        let first3 = exp(2.0) / (exp(2.0) + 10)
        let second5 = exp(5.0) / (exp(5.0) + 10)
        let consulted = try NetworkRecognizer(modelPaths: [unsure, five]).recognizeDigit(blank)
        #expect(consulted.text == "5")
        // The mean of both (0.50) is capped at what the first was of its own reading.
        #expect((1 / (exp(2.0) + 10) + second5) / 2 > first3)
        #expect(abs(consulted.confidence - first3) < 1e-6)
        #expect(abs((consulted.alternatives.first?.confidence ?? 0) - (first3 + 1 / (exp(5.0) + 10)) / 2) < 1e-6)
        #expect(consulted.alternatives.first?.text == "3")
        // Both networks reading 3 make it no surer than the first was.
        let agreeing = try NetworkRecognizer(modelPaths: [unsure, sure]).recognizeDigit(blank)
        #expect(agreeing.text == "3" && abs(agreeing.confidence - first3) < 1e-6)
        let alone = try NetworkRecognizer(modelPaths: [sure, five]).recognizeDigit(blank)
        #expect(alone.text == "3" && abs(alone.confidence - exp(9.0) / (exp(9.0) + 10)) < 1e-6)
        // A cell the first takes for no digit is not asked about again, however unsure.
        let unsureNone = try Self.denseOnlyWeights(biases: (0..<11).map { $0 == 10 ? 1 : 0 }, name: "unsureNone")
        defer { try? FileManager.default.removeItem(atPath: unsureNone) }
        #expect(try NetworkRecognizer(modelPaths: [unsureNone, five]).recognizeDigit(blank) == .empty)
        // With the threshold above the first's confidence, it is consulted there too.
        let always = try NetworkRecognizer(modelPaths: [sure, five], secondOpinionBelow: 1.01).recognizeDigit(blank)
        #expect(always.text == "3" && always.confidence < 0.6)
        let ten = try Self.denseOnlyWeights(biases: Array(repeating: 0, count: 10), name: "ten")
        defer { try? FileManager.default.removeItem(atPath: ten) }
        #expect(throws: OCRError.self) { try NetworkRecognizer(modelPaths: [unsure, ten]) }
    }

    /// The bundle ships the first network and its second opinion, and a model folder holding
    /// only `digitnet.bin` runs that one alone.
    @Test func bundleHoldsBothNetworksAndAFolderMayHoldOne() throws {
        #expect(try Self.recognizer().networks.count == 2)
        // The second opinion (run 20A) was trained on cells stretched to 0.55; the first on cells as cut.
        #expect(try Self.recognizer().networks.map { ($0.minimumCellAspect * 100).rounded() } == [0, 55])
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("digitnet-folder-\(ProcessInfo.processInfo.processIdentifier)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let weights = try #require(BundledModels.path(of: BundledModels.digitNetworkFile))
        try FileManager.default.copyItem(atPath: weights, toPath: folder + "/digitnet.bin")
        #expect(try NetworkRecognizer.inFolder(folder).networks.count == 1)
        #expect(throws: OCRError.self) { try NetworkRecognizer.inFolder(folder + "/missing") }
    }

    /// A version 2 network stretches cells narrower than its minimum aspect on their way in
    /// (condensed typefaces then look like the wider ones it was trained on); a version 1
    /// network takes them as they are. A second network of the other kind gets its own input.
    @Test func narrowCellIsStretchedToTheNetworksMinimumAspect() throws {
        let stretching = try Self.denseOnlyWeights(biases: Array(repeating: 0, count: 11), name: "aspect", minimumAspect: 0.5)
        let plain = try Self.denseOnlyWeights(biases: Array(repeating: 0, count: 11), name: "plain")
        defer {
            try? FileManager.default.removeItem(atPath: stretching)
            try? FileManager.default.removeItem(atPath: plain)
        }
        let recognizer = try NetworkRecognizer(modelPaths: [stretching, plain])
        #expect(recognizer.networks.map(\.minimumCellAspect) == [0.5, 0])
        // A black cell 12 wide and 48 tall: 8 of 24 input columns as it is, 16 stretched to 0.5.
        let narrow = Image(width: 12, height: 48, format: .gray, filledWith: 0)
        func inkColumns(_ input: [Float]) -> Int { (0..<24).count { input[16 * 24 + $0] > 0.5 } }
        #expect(inkColumns(recognizer.networkInput(for: narrow)) == 16)
        #expect(inkColumns(recognizer.networkInput(for: narrow, minimumAspect: 0)) == 8)
        // A cell already wider than the minimum is not touched.
        let wide = Image(width: 30, height: 48, format: .gray, filledWith: 0)
        #expect(recognizer.networkInput(for: wide) == recognizer.networkInput(for: wide, minimumAspect: 0))
        // A broken aspect is refused.
        let broken = try Self.denseOnlyWeights(biases: Array(repeating: 0, count: 11), name: "nan", minimumAspect: .nan)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        #expect(throws: OCRError.self) { try DigitNetwork(contentsOf: broken) }
    }

    /// The Python fixture writer's input step, checked on its own: a wide cell is fitted by
    /// width and centred with white (0) above and below.
    @Test func wideCellIsPaddedAboveAndBelow() throws {
        let recognizer = try Self.recognizer()
        let input = recognizer.networkInput(for: Image(width: 96, height: 48, format: .gray, filledWith: 0))
        let (h, w) = (recognizer.network.inputHeight, recognizer.network.inputWidth)
        #expect(input.count == h * w)
        #expect(input[0] == 0 && input[(h - 1) * w] == 0)
        #expect(abs(input[(h / 2) * w + w / 2] - 1) < 1e-6)
    }
}

private func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(hexValue(digits[$0]) << 4 | hexValue(digits[$0 + 1])) }
}

private func hexValue(_ byte: UInt8) -> UInt8 {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    default: 0
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
