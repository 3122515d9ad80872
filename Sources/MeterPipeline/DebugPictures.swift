import Foundation
import MeterImage
import MeterVision

/// Writes the pictures a person looks at to check a reading: the photo with the counter boxes,
/// the straightened counter, and the cells as the recogniser saw them with the digit read.
public struct DebugPictures: Sendable {
    /// Folder the pictures go to (created if missing).
    public let directory: String

    /// Pictures go to `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// Writes the pictures for one photo; `name` prefixes the file names.
    public func write(name: String, evidence: ReadEvidence, result: ReadResult) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard let photo = evidence.photo else { return }
        let scale = max(1, max(photo.image.width, photo.image.height) / 1000)
        var canvas = Canvas(gray: ColorPlanes(photo.image).gray.downscaled(by: scale))
        // Every candidate row in yellow; the row the reading came from in red, over them (it
        // need not be the best-ranked one, nor one of this list after a second look).
        for candidate in evidence.candidates.reversed() {
            canvas.drawCells(candidate.scaled(by: 1 / Double(scale)), colour: (255, 200, 0))
        }
        if let read = evidence.crop?.candidate {
            canvas.drawCells(read.scaled(by: 1 / Double(scale)), colour: (255, 0, 0))
        }
        try save(canvas.image, "\(name)-1-photo.png")
        // The threshold passes side by side (dark ink, light ink, faint dark ink), digit-shaped
        // blobs of every pass boxed on each.
        let binaries = evidence.locating.binaries
        if let first = binaries.first {
            let (w, h) = (first.width, first.height)
            let offsets = binaries.indices.map { $0 * (w + 8) }
            var passes = Canvas(width: binaries.count * (w + 8) - 8, height: h)
            for (binary, offset) in zip(binaries, offsets) { passes.paste(binary.inverted(), x: offset, y: 0) }
            for blob in evidence.locating.digitShapes {
                for offset in offsets {
                    passes.rectangle(x: blob.minX + offset, y: blob.minY, width: blob.width, height: blob.height, colour: (0, 180, 0))
                }
            }
            try save(passes.image, "\(name)-0-threshold.png")
        }
        guard let crop = evidence.crop else { return }
        var strip = Canvas(gray: crop.strip)
        for cell in crop.cells {
            let colour: (UInt8, UInt8, UInt8) = cell.isFraction ? (255, 0, 0) : (0, 160, 255)
            strip.rectangle(x: cell.frame.x, y: cell.frame.y, width: cell.frame.width, height: cell.frame.height, colour: colour)
        }
        try save(strip.image, "\(name)-2-counter.png")
        try save(montage(evidence.preparedCells, digits: result.digits), "\(name)-3-cells.png")
        try save(montage(crop.cells.map(\.image), digits: result.digits), "\(name)-4-raw-cells.png")
    }

    private func save(_ image: Image, _ file: String) throws {
        let data = try image.pngData()
        try Data(data).write(to: URL(fileURLWithPath: directory).appendingPathComponent(file))
    }

    /// Cells side by side with the digit read (and its confidence as a bar) under each.
    private func montage(_ cells: [Image], digits: [ReadResult.Digit]) -> Image {
        let cellHeight = cells.map(\.height).max() ?? 1
        let labelHeight = 30
        let width = max(1, cells.map { $0.width + 4 }.reduce(0, +))
        var canvas = Canvas(width: width, height: cellHeight + labelHeight)
        var x = 0
        for (index, cell) in cells.enumerated() {
            canvas.paste(cell, x: x, y: 0)
            if index < digits.count {
                let digit = digits[index]
                let colour: (UInt8, UInt8, UInt8) =
                    digit.fraction ? (200, 0, 0) : digit.rolling ? (0, 120, 255) : (0, 0, 0)
                canvas.text(digit.text.isEmpty ? "?" : digit.text, x: x + 2, y: cellHeight + 3, scale: 3, colour: colour)
                let bar = Int(Double(cell.width - 4) * digit.confidence)
                canvas.fill(x: x + 2, y: cellHeight + labelHeight - 4, width: bar, height: 3, colour: (0, 170, 0))
            }
            x += cell.width + 4
        }
        return canvas.image
    }
}

/// A small RGB drawing surface for audit pictures.
struct Canvas {
    private(set) var image: Image

    init(width: Int, height: Int) {
        image = Image(width: width, height: height, format: .rgb, filledWith: 255)
    }

    init(gray: Image) {
        var pixels = [UInt8](repeating: 0, count: gray.width * gray.height * 3)
        for (index, value) in gray.pixels.enumerated() {
            pixels[3 * index] = value
            pixels[3 * index + 1] = value
            pixels[3 * index + 2] = value
        }
        image = Image(width: gray.width, height: gray.height, format: .rgb, pixels: pixels)
    }

    mutating func set(_ x: Int, _ y: Int, _ colour: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let index = (y * image.width + x) * 3
        image.pixels[index] = colour.0
        image.pixels[index + 1] = colour.1
        image.pixels[index + 2] = colour.2
    }

    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, colour: (UInt8, UInt8, UInt8)) {
        let steps = max(1, Int(max(abs(x1 - x0), abs(y1 - y0))))
        for step in 0...steps {
            let t = Double(step) / Double(steps)
            let x = Int(x0 + (x1 - x0) * t)
            let y = Int(y0 + (y1 - y0) * t)
            set(x, y, colour)
            set(x + 1, y, colour)
        }
    }

    mutating func rectangle(x: Int, y: Int, width: Int, height: Int, colour: (UInt8, UInt8, UInt8)) {
        let (l, t, r, b) = (Double(x), Double(y), Double(x + width - 1), Double(y + height - 1))
        line(l, t, r, t, colour: colour)
        line(r, t, r, b, colour: colour)
        line(r, b, l, b, colour: colour)
        line(l, b, l, t, colour: colour)
    }

    mutating func fill(x: Int, y: Int, width: Int, height: Int, colour: (UInt8, UInt8, UInt8)) {
        guard width > 0, height > 0 else { return }
        for row in y..<(y + height) {
            for column in x..<(x + width) { set(column, row, colour) }
        }
    }

    /// Each cell of a candidate as a box turned by the row's angle.
    mutating func drawCells(_ candidate: CounterCandidate, colour: (UInt8, UInt8, UInt8)) {
        let c = cos(candidate.angle)
        let s = sin(candidate.angle)
        let halfWidth = min(candidate.pitch * 0.48, candidate.digitWidth * 0.68)
        let halfHeight = candidate.digitHeight * 0.65
        for center in candidate.cellCenters {
            let corners = [(-halfWidth, -halfHeight), (halfWidth, -halfHeight), (halfWidth, halfHeight), (-halfWidth, halfHeight)]
                .map { (center.x + $0.0 * c - $0.1 * s, center.y + $0.0 * s + $0.1 * c) }
            for index in 0..<4 {
                let a = corners[index]
                let b = corners[(index + 1) % 4]
                line(a.0, a.1, b.0, b.1, colour: colour)
            }
        }
    }

    mutating func paste(_ gray: Image, x: Int, y: Int) {
        for row in 0..<gray.height {
            for column in 0..<gray.width {
                let value = gray.pixels[row * gray.width + column]
                set(x + column, y + row, (value, value, value))
            }
        }
    }

    /// Digits and a few signs in a 3×5 bitmap font, scaled up.
    mutating func text(_ string: String, x: Int, y: Int, scale: Int, colour: (UInt8, UInt8, UInt8)) {
        var cursor = x
        for character in string {
            let rows = Self.glyphs[character] ?? Self.glyphs["?"]!
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 {
                    fill(x: cursor + column * scale, y: y + row * scale, width: scale, height: scale, colour: colour)
                }
            }
            cursor += 4 * scale
        }
    }

    private static let glyphs: [Character: [Int]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
        "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
        "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], "?": [7, 1, 3, 0, 2], ".": [0, 0, 0, 0, 2],
    ]
}
