import Foundation
import MeterImage

/// The committed fixtures and their expectations (see Fixtures/README.md).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// One row of Fixtures/expected.csv.
    struct Expectation: Sendable, CustomStringConvertible {
        let file: String
        let format: String
        let width: Int?
        let height: Int?
        let orientation: Int?
        let pattern: String
        let error: String

        var description: String { file }
        var isValid: Bool { error.isEmpty }
    }

    /// The colour expected at the centre of one quadrant.
    struct Probe: Sendable {
        let xFraction: Double
        let yFraction: Double
        let rgb: (Int, Int, Int)
    }

    static func bytes(_ name: String) -> [UInt8] {
        // A missing fixture is a broken checkout: trap with the name.
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        else { fatalError("missing fixture \(name)") }
        return [UInt8](data)
    }

    private static func rows(_ name: String) -> [[String]] {
        let text = String(decoding: bytes(name), as: UTF8.self)
        return text.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static let expectations: [Expectation] = rows("expected.csv").map { field in
        Expectation(
            file: field[0], format: field[1], width: Int(field[2]), height: Int(field[3]),
            orientation: Int(field[4]), pattern: field[6], error: field[7])
    }

    static var valid: [Expectation] { expectations.filter(\.isValid) }
    static var invalid: [Expectation] { expectations.filter { !$0.isValid } }

    static let patterns: [String: [Probe]] = {
        var result: [String: [Probe]] = [:]
        for field in rows("patterns.csv") {
            result[field[0], default: []].append(
                Probe(
                    xFraction: Double(field[2])!, yFraction: Double(field[3])!,
                    rgb: (Int(field[4])!, Int(field[5])!, Int(field[6])!)))
        }
        return result
    }()
}
