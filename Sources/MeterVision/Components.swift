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
    /// Share of the bounding box covered by ink.
    public var fill: Double { Double(area) / Double(width * height) }
}

/// Connected-component labelling (8-connected) of binary images.
public enum Components {
    /// Every ink region of `binary` (255 = ink) with at least `minimumArea` pixels.
    public static func blobs(in binary: Image, minimumArea: Int = 1) -> [Blob] {
        precondition(binary.format == .gray, "blobs(in:) takes a binary gray image")
        let width = binary.width
        let height = binary.height
        guard width > 0, height > 0 else { return [] }
        var labels = [Int32](repeating: 0, count: width * height)
        var parent: [Int32] = [0]

        func find(_ label: Int32) -> Int32 {
            var root = label
            while parent[Int(root)] != root { root = parent[Int(root)] }
            var node = label
            while parent[Int(node)] != root {
                let next = parent[Int(node)]
                parent[Int(node)] = root
                node = next
            }
            return root
        }
        func union(_ a: Int32, _ b: Int32) -> Int32 {
            let rootA = find(a)
            let rootB = find(b)
            if rootA == rootB { return rootA }
            let (low, high) = rootA < rootB ? (rootA, rootB) : (rootB, rootA)
            parent[Int(high)] = low
            return low
        }

        binary.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                for x in 0..<width where pixels[y * width + x] != 0 {
                    var label: Int32 = 0
                    // Already-visited neighbours: W, NW, N, NE.
                    if x > 0, labels[y * width + x - 1] != 0 { label = labels[y * width + x - 1] }
                    if y > 0 {
                        for dx in -1...1 {
                            let nx = x + dx
                            guard nx >= 0, nx < width else { continue }
                            let neighbour = labels[(y - 1) * width + nx]
                            if neighbour != 0 { label = label == 0 ? neighbour : union(label, neighbour) }
                        }
                    }
                    if label == 0 {
                        label = Int32(parent.count)
                        parent.append(label)
                    }
                    labels[y * width + x] = label
                }
            }
        }

        var blobIndex = [Int32](repeating: -1, count: parent.count)
        var blobs: [Blob] = []
        for y in 0..<height {
            for x in 0..<width {
                let label = labels[y * width + x]
                guard label != 0 else { continue }
                let root = Int(find(label))
                if blobIndex[root] < 0 {
                    blobIndex[root] = Int32(blobs.count)
                    blobs.append(Blob(minX: x, minY: y, maxX: x, maxY: y, area: 0))
                }
                let index = Int(blobIndex[root])
                blobs[index].minX = min(blobs[index].minX, x)
                blobs[index].maxX = max(blobs[index].maxX, x)
                blobs[index].maxY = y
                blobs[index].area += 1
            }
        }
        return blobs.filter { $0.area >= minimumArea }
    }
}
