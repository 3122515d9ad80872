import Foundation
import MeterReading

/// One labelled photo of a samples manifest (`samples/manifest.csv`).
public struct LabelledPhoto: Sendable, Hashable {
    /// Path of the photo (resolved against the manifest's folder).
    public var path: String
    /// The exact reading (`01189.27`), or `UNREADABLE`.
    public var reading: String
    /// Integer digits ("" for unreadable photos).
    public var integer: String
    /// Fraction digits ("" when none).
    public var fraction: String
    /// drum, lcd, printed, none.
    public var style: String
    /// Space-separated tags (rolling, glare, …).
    public var tags: [String]
    /// dev or test.
    public var split: String
    /// Labelled outline of the counter (x, y pairs), when the manifest has one.
    public var counterQuad: [Double]? = nil
    /// The meter number, when the manifest has a `meter_number` column.
    public var meterNumber: String? = nil

    /// Whether the photo shows no readable counter.
    public var isUnreadable: Bool { reading == "UNREADABLE" }
}

/// Why a manifest could not be loaded.
public struct ManifestError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, with the line number.
    public let description: String
}

/// Loads a samples manifest: a header row naming at least `file`, `reading`, `integer`,
/// `fraction`, `style`, `tags`, `split`; `file` is relative to the manifest's folder.
public func loadManifest(_ path: String) throws(ManifestError) -> [LabelledPhoto] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ManifestError(description: "cannot read manifest \(path)")
    }
    let base = URL(fileURLWithPath: path).deletingLastPathComponent()
    let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
    guard let header = lines.first else { throw ManifestError(description: "\(path): empty manifest") }
    let columns = splitCSVLine(String(header))
    func column(_ name: String) throws(ManifestError) -> Int {
        guard let index = columns.firstIndex(of: name) else {
            throw ManifestError(description: "\(path): no column '\(name)' in the header")
        }
        return index
    }
    let file = try column("file")
    let reading = try column("reading")
    let integer = try column("integer")
    let fraction = try column("fraction")
    let style = try column("style")
    let tags = try column("tags")
    let split = try column("split")
    let quad = columns.firstIndex(of: "counter_quad")
    let meter = columns.firstIndex(of: "meter_number")
    var photos: [LabelledPhoto] = []
    for (offset, line) in lines.dropFirst().enumerated() {
        let fields = splitCSVLine(String(line))
        guard fields.count >= columns.count else {
            throw ManifestError(
                description: "\(path):\(offset + 2): \(fields.count) fields, header has \(columns.count)")
        }
        photos.append(
            LabelledPhoto(
                path: base.appendingPathComponent(fields[file]).path, reading: fields[reading],
                integer: fields[integer], fraction: fields[fraction], style: fields[style],
                tags: fields[tags].split(separator: " ").map(String.init), split: fields[split],
                counterQuad: quad.flatMap { index in
                    let numbers = fields[index].split(separator: " ").compactMap { Double($0) }
                    return numbers.count == 8 ? numbers : nil
                },
                meterNumber: meter.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }))
    }
    return photos
}

/// Splits one CSV line (commas, double-quoted fields with doubled quotes inside).
func splitCSVLine(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    var characters = line.makeIterator()
    while let character = characters.next() {
        if quoted {
            if character == "\"" {
                quoted = false
            } else {
                current.append(character)
            }
        } else if character == "\"" {
            if current.isEmpty { quoted = true } else { current.append(character) }
        } else if character == "," {
            fields.append(current)
            current = ""
        } else {
            current.append(character)
        }
    }
    fields.append(current)
    return fields
}

/// Accuracy of a run against the labels: the figures `meterscan eval` prints.
public struct EvaluationReport: Sendable, Encodable {
    /// Rates over one group of photos.
    public struct Rates: Sendable, Encodable {
        /// Photos in the group.
        public var photos = 0
        /// Readable photos (labelled with a reading).
        public var readable = 0
        /// Readable photos whose integer part was read exactly.
        public var integerExact = 0
        /// Readable photos whose whole reading (integer and fraction) was read exactly.
        public var fullExact = 0
        /// Accepted with an integer part that is wrong (or accepted although unreadable).
        public var wrongAccepted = 0
        /// Accepted.
        public var accepted = 0
        /// Sent to review.
        public var review = 0
        /// Rejected.
        public var rejected = 0
        /// Unreadable photos.
        public var unreadable = 0
        /// Unreadable photos that were rejected.
        public var unreadableRejected = 0
        /// Readable photos with a labelled counter outline.
        public var withOutline = 0
        /// ... whose read counter's centre lies inside the labelled outline.
        public var located = 0

        /// Share of readable photos with the integer part exact.
        public var integerExactRate: Double { share(integerExact, readable) }
        /// Share of readable photos read exactly, fraction included.
        public var fullExactRate: Double { share(fullExact, readable) }
        /// Share of all photos accepted with a wrong value.
        public var wrongAcceptedRate: Double { share(wrongAccepted, photos) }
        /// Share of unreadable photos rejected.
        public var unreadableRejectedRate: Double { share(unreadableRejected, unreadable) }

        enum CodingKeys: String, CodingKey {
            case photos, readable, accepted, review, rejected, unreadable
            case integerExact = "integer_exact"
            case fullExact = "full_exact"
            case wrongAccepted = "wrong_accepted"
            case unreadableRejected = "unreadable_rejected"
            case withOutline = "with_outline"
            case located
            case integerExactRate = "integer_exact_rate"
            case fullExactRate = "full_exact_rate"
            case wrongAcceptedRate = "wrong_accepted_rate"
            case unreadableRejectedRate = "unreadable_rejected_rate"
        }

        /// Encodes counts and rates.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(photos, forKey: .photos)
            try container.encode(readable, forKey: .readable)
            try container.encode(accepted, forKey: .accepted)
            try container.encode(review, forKey: .review)
            try container.encode(rejected, forKey: .rejected)
            try container.encode(unreadable, forKey: .unreadable)
            try container.encode(integerExact, forKey: .integerExact)
            try container.encode(fullExact, forKey: .fullExact)
            try container.encode(wrongAccepted, forKey: .wrongAccepted)
            try container.encode(unreadableRejected, forKey: .unreadableRejected)
            try container.encode(withOutline, forKey: .withOutline)
            try container.encode(located, forKey: .located)
            try container.encode(rounded(integerExactRate), forKey: .integerExactRate)
            try container.encode(rounded(fullExactRate), forKey: .fullExactRate)
            try container.encode(rounded(wrongAcceptedRate), forKey: .wrongAcceptedRate)
            try container.encode(rounded(unreadableRejectedRate), forKey: .unreadableRejectedRate)
        }

        mutating func add(_ label: LabelledPhoto, _ result: ReadResult) {
            photos += 1
            switch result.status {
            case .accepted: accepted += 1
            case .review: review += 1
            case .rejected: rejected += 1
            }
            if label.isUnreadable {
                unreadable += 1
                if result.status == .rejected { unreadableRejected += 1 }
                if result.status == .accepted { wrongAccepted += 1 }
                return
            }
            readable += 1
            if let quad = label.counterQuad {
                withOutline += 1
                if let counter = result.counter, contains(quad, x: (counter[0] + counter[4]) / 2, y: (counter[1] + counter[5]) / 2) {
                    located += 1
                }
            }
            let integerRight = result.reading?.integer == label.integer
            if integerRight { integerExact += 1 }
            if integerRight && (result.reading?.fraction ?? "") == label.fraction { fullExact += 1 }
            if result.status == .accepted && !integerRight { wrongAccepted += 1 }
        }
    }

    /// Every photo evaluated.
    public var overall = Rates()
    /// Per `style` column value.
    public var byStyle: [String: Rates] = [:]
    /// Per tag.
    public var byTag: [String: Rates] = [:]
    /// Label digit → read digit → count, for positions aligned by equal length.
    public var confusion: [String: [String: Int]] = [:]
    /// Photos read wrongly, for a person to look at: file, label, read, status.
    public var mistakes: [[String]] = []
    /// What sent photos to a clerk: per reason (its message with the numbers left out), the
    /// right readings it held back and the wrong ones it caught. A rule that holds back many
    /// right readings and catches few wrong ones costs the clerk more than it saves.
    public var reviewReasons: [String: ReviewTally] = [:]

    /// Photos in review for one reason, by whether their integer reading was right.
    public struct ReviewTally: Sendable, Hashable, Encodable {
        /// Right readings held back.
        public var right = 0
        /// Wrong readings caught (an unreadable photo's reading is wrong).
        public var wrong = 0
    }

    enum CodingKeys: String, CodingKey {
        case overall, confusion, mistakes
        case byStyle = "by_style"
        case byTag = "by_tag"
        case reviewReasons = "review_reasons"
    }

    /// An empty report.
    public init() {}

    /// Counts one photo.
    public mutating func add(_ label: LabelledPhoto, _ result: ReadResult) {
        overall.add(label, result)
        byStyle[label.style, default: Rates()].add(label, result)
        for tag in label.tags { byTag[tag, default: Rates()].add(label, result) }
        if !label.isUnreadable, let read = result.reading {
            let expected = Array(label.integer + label.fraction)
            let got = Array(read.integer + (read.fraction ?? ""))
            if expected.count == got.count {
                for (want, have) in zip(expected, got) {
                    confusion[String(want), default: [:]][String(have), default: 0] += 1
                }
            }
        }
        let right = label.isUnreadable
            ? result.status == .rejected : result.reading?.integer == label.integer
        if result.status == .review {
            let side: WritableKeyPath<ReviewTally, Int> = right ? \.right : \.wrong
            for reason in Set(result.reasons.map { Self.reasonPattern($0.message) }) {
                reviewReasons[reason, default: ReviewTally()][keyPath: side] += 1
            }
        }
        if !right {
            mistakes.append([
                result.file ?? label.path, label.reading, result.reading?.value ?? "-", result.status.rawValue,
            ])
        }
    }
}

extension EvaluationReport {
    /// `message` with each number, or list of numbers, written "N": one pattern per rule
    /// ("uncertain integer digit at position 2, 5" → "uncertain integer digit at position N").
    static func reasonPattern(_ message: String) -> String {
        var pattern = ""
        var inNumber = false
        for character in message {
            if character.isASCII, character.isNumber {
                if !inNumber { pattern.append("N") }
                inNumber = true
            } else {
                inNumber = false
                pattern.append(character)
            }
        }
        while let list = pattern.range(of: "N, N") { pattern.replaceSubrange(list, with: "N") }
        return pattern
    }
}

/// Whether (x, y) lies inside the polygon given as x, y pairs (even-odd rule).
func contains(_ polygon: [Double], x: Double, y: Double) -> Bool {
    var inside = false
    let count = polygon.count / 2
    var j = count - 1
    for i in 0..<count {
        let (xi, yi) = (polygon[2 * i], polygon[2 * i + 1])
        let (xj, yj) = (polygon[2 * j], polygon[2 * j + 1])
        if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
        j = i
    }
    return inside
}

private func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
