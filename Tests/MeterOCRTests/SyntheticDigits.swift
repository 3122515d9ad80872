import MeterImage

/// Draws digits from a 5×7 bitmap font, scaled up and softened, dark on light: a stand-in for
/// a prepared cell that needs no fixture file. Stock `eng` reads most of these digits at
/// scale 3 with a margin of 6 (the digit about two thirds of the height, as in a real crop);
/// blown up further the blocky font stops looking like type to it.
enum SyntheticDigits {
    private static let font: [Character: [String]] = [
        "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ]

    /// `text` in digits of `scale` pixels per font dot, one dot apart, with `margin` pixels of
    /// background around; edges softened by a 3×3 box blur.
    static func render(_ text: String, scale: Int = 3, margin: Int = 6, ink: UInt8 = 20, paper: UInt8 = 235)
        -> Image
    {
        let glyphs = text.map { font[$0]! }
        let width = 2 * margin + glyphs.count * 5 * scale + (glyphs.count - 1) * scale
        let height = 2 * margin + 7 * scale
        var pixels = [UInt8](repeating: paper, count: width * height)
        for (index, glyph) in glyphs.enumerated() {
            let left = margin + index * 6 * scale
            for (row, line) in glyph.enumerated() {
                for (column, dot) in line.enumerated() where dot == "#" {
                    for y in 0..<scale {
                        for x in 0..<scale {
                            pixels[(margin + row * scale + y) * width + left + column * scale + x] = ink
                        }
                    }
                }
            }
        }
        var soft = pixels
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                var sum = 0
                for dy in -1...1 { for dx in -1...1 { sum += Int(pixels[(y + dy) * width + x + dx]) } }
                soft[y * width + x] = UInt8(sum / 9)
            }
        }
        return Image(width: width, height: height, format: .gray, pixels: soft)
    }

    /// The same picture as RGB.
    static func rgb(_ image: Image) -> Image {
        Image(
            width: image.width, height: image.height, format: .rgb,
            pixels: image.pixels.flatMap { [$0, $0, $0] })
    }
}
