public import MeterImage

/// A connected region of ink in a binary image.
public struct Blob: Sendable, Hashable {
    /// Leftmost column.
    public var minX: Int
    /// Topmost row.
    public var minY: Int
    /// Rightmost column (inclusive).
    public var maxX: Int
    /// Bottom row (inclusive).
    public var maxY: Int
    /// Number of ink pixels.
    public var area: Int

    /// Bounding-box width.
    public var width: Int { maxX - minX + 1 }
    /// Bounding-box height.
    public var height: Int { maxY - minY + 1 }
    /// Centre of the bounding box, x.
    public var centerX: Double { Double(minX + maxX) / 2 }
    /// Centre of the bounding box, y.
    public var centerY: Double { Double(minY + maxY) / 2 }
    /// A blob with the given bounding box (inclusive) and ink pixel count.
    public init(minX: Int, minY: Int, maxX: Int, maxY: Int, area: Int) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
        self.area = area
    }

    /// Share of the bounding box covered by ink.
    public var fill: Double { Double(area) / Double(width * height) }

    /// The two blobs as one: the box around both, their ink added.
    public func union(_ other: Blob) -> Blob {
        Blob(
            minX: min(minX, other.minX), minY: min(minY, other.minY),
            maxX: max(maxX, other.maxX), maxY: max(maxY, other.maxY), area: area + other.area)
    }

    /// Whether `other`'s centre lies in this blob's bounding box.
    public func holds(_ other: Blob) -> Bool {
        Double(minX) <= other.centerX && other.centerX <= Double(maxX)
            && Double(minY) <= other.centerY && other.centerY <= Double(maxY)
    }
}

/// Connected-component labelling (8-connected) of binary images.
///
/// Works on horizontal runs of ink rather than pixels: a row is scanned once into runs, each
/// run is joined (union-find) with the runs of the row above that touch it diagonally or
/// directly, and blob boxes and areas are summed per run. Digit pictures have few runs per
/// row, so this is several times faster than labelling every pixel.
public enum Components {
    /// Every ink region of `binary` (255 = ink) with at least `minimumArea` pixels.
    public static func blobs(in binary: Image, minimumArea: Int = 1) -> [Blob] {
        precondition(binary.format == .gray, "blobs(in:) takes a binary gray image")
        let width = binary.width
        let height = binary.height
        guard width > 0, height > 0 else { return [] }
        // Runs as parallel arrays: row, first and last column.
        var runRow: [Int32] = []
        var runStart: [Int32] = []
        var runEnd: [Int32] = []
        var parent: [Int32] = []
        var previousFirst = 0
        var previousCount = 0
        binary.pixels.withUnsafeBufferPointer { pixels in
            guard let base = pixels.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            for y in 0..<height {
                let rowBase = y * width
                let currentFirst = runStart.count
                var x = 0
                while x < width {
                    // Most of a threshold picture is background: skip it eight pixels at a time.
                    if x + 8 <= width, raw.loadUnaligned(fromByteOffset: rowBase + x, as: UInt64.self) == 0 {
                        x += 8
                        continue
                    }
                    if pixels[rowBase + x] == 0 {
                        x += 1
                        continue
                    }
                    let start = x
                    while x < width && pixels[rowBase + x] != 0 { x += 1 }
                    runRow.append(Int32(y))
                    runStart.append(Int32(start))
                    runEnd.append(Int32(x - 1))
                    parent.append(Int32(parent.count))
                }
                // Join with the runs of the row above that overlap (8-connected: ±1 column).
                var above = previousFirst
                let aboveEnd = previousFirst + previousCount
                for run in currentFirst..<runStart.count {
                    while above < aboveEnd && runEnd[above] + 1 < runStart[run] { above += 1 }
                    var candidate = above
                    while candidate < aboveEnd && runStart[candidate] <= runEnd[run] + 1 {
                        union(&parent, Int32(run), Int32(candidate))
                        candidate += 1
                    }
                }
                previousFirst = currentFirst
                previousCount = runStart.count - currentFirst
            }
        }
        var blobIndex = [Int32](repeating: -1, count: parent.count)
        var blobs: [Blob] = []
        for run in 0..<parent.count {
            let root = Int(find(&parent, Int32(run)))
            let y = Int(runRow[run])
            let x0 = Int(runStart[run])
            let x1 = Int(runEnd[run])
            if blobIndex[root] < 0 {
                blobIndex[root] = Int32(blobs.count)
                blobs.append(Blob(minX: x0, minY: y, maxX: x1, maxY: y, area: 0))
            }
            let index = Int(blobIndex[root])
            blobs[index].minX = min(blobs[index].minX, x0)
            blobs[index].maxX = max(blobs[index].maxX, x1)
            blobs[index].maxY = max(blobs[index].maxY, y)
            blobs[index].area += x1 - x0 + 1
        }
        return blobs.filter { $0.area >= minimumArea }
    }

    private static func find(_ parent: inout [Int32], _ node: Int32) -> Int32 {
        var root = node
        while parent[Int(root)] != root { root = parent[Int(root)] }
        var current = node
        while parent[Int(current)] != root {
            let next = parent[Int(current)]
            parent[Int(current)] = root
            current = next
        }
        return root
    }

    private static func union(_ parent: inout [Int32], _ a: Int32, _ b: Int32) {
        let rootA = find(&parent, a)
        let rootB = find(&parent, b)
        if rootA != rootB { parent[Int(max(rootA, rootB))] = min(rootA, rootB) }
    }
}
