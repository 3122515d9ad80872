import Foundation
import MeterImage
import MeterOCR
import Testing

@testable import MeterPipeline

@Suite("Digit labels")
struct DigitLabelTests {
    @Test("a labels file parses, with LF or CRLF line ends")
    func parses() throws {
        for end in ["\n", "\r\n"] {
            let text = ["file,value,visible,state,kind,source", "a.jpg,5.0,5,clean,lcd,lcd/-",
                        "b.jpg,1.7,1|2,rolling,new,new/x.jpg", ""].joined(separator: end)
            let samples = try parseDigitLabels(text)
            #expect(samples.count == 2)
            #expect(samples[0] == DigitSample(file: "a.jpg", value: "5.0", expected: ["5"], state: .clean, kind: "lcd", source: "lcd/-"))
            #expect(samples[1].expected == ["1", "2"])
            #expect(samples[1].state == .rolling)
        }
    }

    @Test(
        "malformed rows are errors naming the line",
        arguments: [
            ("file,value,visible,state,kind", 1, "header"),
            ("file,value,visible,state,kind,source\na.jpg,5.0,5,clean,lcd", 2, "6 fields"),
            ("file,value,visible,state,kind,source\na.jpg,5.0,5,dirty,lcd,x", 2, "clean or rolling"),
            ("file,value,visible,state,kind,source\na.jpg,5.0,5|6,clean,lcd,x", 2, "one visible digit"),
            ("file,value,visible,state,kind,source\na.jpg,5.0,5,rolling,lcd,x", 2, "a|b"),
            ("file,value,visible,state,kind,source\na.jpg,5.0,x,clean,lcd,x", 2, "one visible digit"),
            ("file,value,visible,state,kind,source\nok.jpg,1,1,clean,a,b\n\"a.jpg\",5.0,5,clean,lcd,x", 3, "quoted"),
            ("file,value,visible,state,kind,source\n../a.jpg,5.0,5,clean,lcd,x", 2, "plain file name"),
            ("file,value,visible,state,kind,source\na.jpg,5.0,5,clean,,x", 2, "kind"),
            ("", 1, "empty"),
        ])
    func malformed(_ text: String, _ line: Int, _ fragment: String) {
        #expect {
            _ = try parseDigitLabels(text, path: "labels.csv")
        } throws: { error in
            guard case DigitEvaluationError.malformedLabels(let path, let reported, let reason) = error else { return false }
            return path == "labels.csv" && reported == line && reason.contains(fragment)
        }
    }

    @Test("a subset is spread evenly and deterministic")
    func subset() throws {
        let samples = (0..<10).map {
            DigitSample(file: "\($0).jpg", value: "0", expected: ["0"], state: .clean, kind: "k", source: "s")
        }
        #expect(evenlySpaced(samples, limit: 3).map(\.file) == ["0.jpg", "3.jpg", "6.jpg"])
        #expect(evenlySpaced(samples, limit: nil).count == 10)
        #expect(evenlySpaced(samples, limit: 50).count == 10)
        #expect(evenlySpaced(samples, limit: 10).count == 10)
    }
}

@Suite("Digit evaluation")
struct DigitEvaluationTests {
    /// A folder in the meter-digits format with small gray PNG crops, removed at deinit.
    final class Folder {
        let path: String

        init(labels: [String], images: [String]) throws {
            path = NSTemporaryDirectory() + "digit-eval-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path + "/images", withIntermediateDirectories: true)
            let text = (["file,value,visible,state,kind,source"] + labels).joined(separator: "\n") + "\n"
            try text.write(toFile: path + "/labels.csv", atomically: true, encoding: .utf8)
            for (index, name) in images.enumerated() {
                var pixels = [UInt8](repeating: 200, count: 12 * 20)
                for y in 4..<16 { pixels[y * 12 + 3 + index % 6] = 20 }
                let png = try Image(width: 12, height: 20, format: .gray, pixels: pixels).pngData()
                try Data(png).write(to: URL(fileURLWithPath: path + "/images/" + name))
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static let labels = [
        "a.png,5.0,5,clean,water,w1",
        "b.png,3.0,3,clean,water,w1",
        "c.png,8.0,8,clean,lcd,l1",
        "d.png,1.6,1|2,rolling,water,w1",
        "e.png,7.4,7|8,rolling,lcd,l1",
        "missing.png,4.0,4,clean,lcd,l1",
    ]

    static func guess(_ text: String, _ alternatives: [String] = []) -> DigitGuess {
        DigitGuess(text: text, confidence: text.isEmpty ? 0 : 0.9, alternatives: alternatives.map { DigitCandidate($0, 0.1) })
    }

    @Test("cell mode counts right, wrong, empty, rolling and undecodable crops per kind")
    func cellMode() throws {
        let folder = try Folder(labels: Self.labels, images: ["a.png", "b.png", "c.png", "d.png", "e.png"])
        let recognizer = ScriptedRecognizer(digits: [
            Self.guess("5", ["6"]),  // right
            Self.guess("8", ["3"]),  // wrong, right in the top two
            Self.guess(""),  // empty
            Self.guess("2", ["1"]),  // rolling, either neighbour, top two = neighbours
            Self.guess("1"),  // rolling, wrong
        ])
        // (no polarity check: the empty guess would take the next scripted one)
        let report = try DigitEvaluator(recognizer: recognizer, options: DigitEvaluationOptions(polarityCheckBelow: 0))
            .evaluate(directory: folder.path)
        #expect(recognizer.digitCalls == 5)
        #expect(report.evaluated == 5)
        #expect(report.undecodable == 1)
        #expect(report.errors.count == 1 && report.errors[0].contains("missing.png"))
        #expect(report.overall.clean == 3)
        #expect(report.overall.cleanCorrect == 1)
        #expect(report.overall.cleanTopTwo == 2)
        #expect(report.overall.cleanEmpty == 1)
        #expect(report.overall.rolling == 2)
        #expect(report.overall.rollingEither == 1)
        #expect(report.overall.rollingTopTwoNeighbours == 1)
        #expect(report.kinds["water"]?.clean == 2)
        #expect(report.kinds["water"]?.cleanCorrect == 1)
        #expect(report.kinds["lcd"]?.cleanEmpty == 1)
        #expect(report.kinds["lcd"]?.rollingEither == 0)
        #expect(report.confusion[5][5] == 1)
        #expect(report.confusion[3][8] == 1)
        #expect(report.confusion[8][10] == 1)
        #expect(report.confusion.joined().reduce(0, +) == 3)
        #expect(abs(report.overall.cleanAccuracy - 1.0 / 3) < 1e-9)
    }

    @Test("an unsure reading is checked against the cell's negative, and the surer counts")
    func polarityCheck() throws {
        let folder = try Folder(labels: Self.labels, images: ["a.png", "b.png", "c.png", "d.png", "e.png"])
        // A recogniser that reads light ink on dark surely (the preparation left every crop of
        // this folder the other way round): the right digit only from the negative.
        func reader() -> ScriptedRecognizer {
            ScriptedRecognizer { cell in
                let mean = cell.pixels.reduce(0) { $0 + Int($1) } / max(1, cell.pixels.count)
                return mean < 128 ? DigitGuess(text: "5", confidence: 0.95) : DigitGuess(text: "7", confidence: 0.3)
            }
        }
        let checked = reader()
        let report = try DigitEvaluator(recognizer: checked, options: DigitEvaluationOptions())
            .evaluate(directory: folder.path)
        #expect(checked.digitCalls == 10)
        #expect(report.confusion[5][5] == 1 && report.confusion[3][5] == 1 && report.confusion[8][5] == 1)
        let unchecked = reader()
        let plain = try DigitEvaluator(recognizer: unchecked, options: DigitEvaluationOptions(polarityCheckBelow: 0))
            .evaluate(directory: folder.path)
        #expect(unchecked.digitCalls == 5)
        #expect(plain.confusion[5][7] == 1 && plain.overall.cleanCorrect == 0)
        // A reading at least as sure as the threshold is not checked.
        let sure = ScriptedRecognizer { _ in DigitGuess(text: "3", confidence: 0.7) }
        _ = try DigitEvaluator(recognizer: sure, options: DigitEvaluationOptions()).evaluate(directory: folder.path)
        #expect(sure.digitCalls == 5)
    }

    @Test("limit evaluates an evenly spaced subset")
    func limit() throws {
        let folder = try Folder(labels: Self.labels, images: ["a.png", "b.png", "c.png", "d.png", "e.png"])
        let recognizer = NullRecognizer()
        let report = try DigitEvaluator(recognizer: recognizer, options: DigitEvaluationOptions(limit: 2))
            .evaluate(directory: folder.path)
        #expect(report.evaluated == 2)  // rows 0 and 3 of 6: a.png and d.png
        #expect(report.overall.cleanEmpty + report.overall.rollingEmpty == 2)
    }

    @Test("line mode groups crops by source and aligns the digits read")
    func lineMode() throws {
        let folder = try Folder(labels: Self.labels, images: ["a.png", "b.png", "c.png", "d.png", "e.png"])
        // Line 1: source w1 = a(5) b(3) d(1|2); the engine misses the 3.
        // Line 2: source l1 = c(8) e(7|8) (missing.png is undecodable); read exactly.
        let recognizer = ScriptedRecognizer(digits: [], lines: [
            [Self.guess("5"), Self.guess("2")],
            [Self.guess("8"), Self.guess("7")],
        ])
        let report = try DigitEvaluator(recognizer: recognizer, options: DigitEvaluationOptions(mode: .line))
            .evaluate(directory: folder.path)
        #expect(recognizer.lineCalls == 2)
        #expect(report.lines == 2)
        #expect(report.linesExact == 1)
        #expect(report.overall.clean == 3)
        #expect(report.overall.cleanCorrect == 2)
        #expect(report.overall.cleanEmpty == 1)
        #expect(report.overall.rollingEither == 2)
    }

    @Test("alignment leaves crops without a digit empty and skips extra digits")
    func alignment() {
        let samples = ["1", "2", "3"].map {
            DigitSample(file: "x", value: $0, expected: [$0], state: .clean, kind: "k", source: "s")
        }
        #expect(align([Self.guess("1"), Self.guess("3")], to: samples).map(\.text) == ["1", "", "3"])
        #expect(align([Self.guess("1"), Self.guess("9"), Self.guess("2"), Self.guess("3")], to: samples).map(\.text) == ["1", "2", "3"])
        #expect(align([], to: samples).map(\.text) == ["", "", ""])
        #expect(align([Self.guess("7")], to: []).isEmpty)
    }

    @Test("a failing engine ends the evaluation with its error")
    func engineFailure() throws {
        let folder = try Folder(labels: Self.labels, images: ["a.png", "b.png", "c.png", "d.png", "e.png"])
        #expect {
            _ = try DigitEvaluator(recognizer: FailingRecognizer(message: "boom"), options: DigitEvaluationOptions())
                .evaluate(directory: folder.path)
        } throws: { error in
            guard case DigitEvaluationError.engine(.engineFailure("boom")) = error else { return false }
            return true
        }
    }

    @Test("a folder without labels is an error naming the file")
    func missingLabels() {
        #expect {
            _ = try DigitEvaluator(recognizer: NullRecognizer(), options: DigitEvaluationOptions())
                .evaluate(directory: "/nonexistent-digits")
        } throws: { error in
            "\(error)".contains("/nonexistent-digits/labels.csv")
        }
    }

    @Test("the JSON report has the documented keys")
    func json() throws {
        let folder = try Folder(labels: Self.labels, images: ["a.png", "b.png", "c.png", "d.png", "e.png"])
        let report = try DigitEvaluator(recognizer: NullRecognizer(), options: DigitEvaluationOptions())
            .evaluate(directory: folder.path)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        for key in ["mode", "evaluated", "overall", "kinds", "confusion", "undecodable", "errors",
                    "prepare_ms_per_digit", "recognize_ms_per_digit", "lines", "lines_exact"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let overall = object["overall"] as! [String: Any]
        for key in ["clean", "clean_correct", "clean_accuracy", "clean_top2", "clean_empty", "rolling",
                    "rolling_either", "rolling_top2_neighbours", "rolling_empty", "rolling_accuracy"] {
            #expect(overall[key] != nil, "missing overall.\(key)")
        }
    }
}
