public import MeterImage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a counter is in a photo: a straight row of digit-sized shapes, and the evidence for it.
public struct CounterCandidate: Sendable, Hashable {
    /// Centres of the digit positions, left to right, in the coordinates of the located image.
    public var cellCenters: [Point]
    /// Digit height in pixels.
    public var digitHeight: Double
    /// Widest digit shape in pixels (a "1" is narrower; cells use this width).
    public var digitWidth: Double
    /// Distance between neighbouring digit centres along the row.
    public var pitch: Double
    /// Angle of the row against the horizontal, in radians (positive: falling to the right).
    public var angle: Double
    /// Positions that were filled in between or beside the shapes found (no clean shape there:
    /// a drum caught mid-roll, a broken glyph).
    public var inferred: [Bool]
    /// Ranking score; higher is more counter-like.
    public var score: Double
    /// Whether the shapes were dark on light (true) or light on dark, per position.
    public var darkInk: [Bool]
    /// Index of the last integer position when a decimal point or comma follows it.
    public var decimalAfter: Int?
    /// Digit-like ink lies one pitch before the first position: the row may lack a digit there.
    public var inkBeforeFirst = false
    /// Digit-like ink lies one pitch after the last position: the row may lack a digit there.
    public var inkAfterLast = false
    /// How many of the first positions were added only for ink in the faint pass (see
    /// `CounterLocator.extend`): weaker evidence than the usual passes give.
    public var faintlyInferredLeading = 0

    /// The same candidate in coordinates scaled by `factor` (e.g. from a downscaled image).
    public func scaled(by factor: Double) -> CounterCandidate {
        var copy = self
        copy.cellCenters = cellCenters.map { Point(x: $0.x * factor, y: $0.y * factor) }
        copy.digitHeight *= factor
        copy.digitWidth *= factor
        copy.pitch *= factor
        return copy
    }

    /// The part of the image the row covers, axis-aligned: its positions' centres give or take
    /// half a pitch across and half a digit height up and down.
    public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let xs = cellCenters.map(\.x)
        let ys = cellCenters.map(\.y)
        return (
            (xs.min() ?? 0) - pitch / 2, (ys.min() ?? 0) - digitHeight / 2, (xs.max() ?? 0) + pitch / 2,
            (ys.max() ?? 0) + digitHeight / 2
        )
    }

    /// Whether the two rows are the same positions of digits of the same size (as the usual
    /// and the faint threshold pass find a clear row): each centre within a tenth of a pitch.
    public func isSameRow(as other: CounterCandidate) -> Bool {
        guard cellCenters.count == other.cellCenters.count, abs(digitHeight - other.digitHeight) <= 0.1 * digitHeight
        else { return false }
        return zip(cellCenters, other.cellCenters).allSatisfy {
            abs($0.x - $1.x) <= 0.1 * pitch && abs($0.y - $1.y) <= 0.1 * pitch
        }
    }

    /// Whether at least half of the smaller of the two rows' outlines lies inside the other's:
    /// two readings of one counter (its digits, and its drum windows around them).
    public func coversMuchOf(_ other: CounterCandidate) -> Bool {
        let (a, b) = (bounds, other.bounds)
        let width = min(a.maxX, b.maxX) - max(a.minX, b.minX)
        let height = min(a.maxY, b.maxY) - max(a.minY, b.minY)
        guard width > 0, height > 0 else { return false }
        let smaller = min((a.maxX - a.minX) * (a.maxY - a.minY), (b.maxX - b.minX) * (b.maxY - b.minY))
        return width * height >= 0.5 * smaller
    }
}

/// A point in image coordinates.
public struct Point: Sendable, Hashable {
    /// Horizontal position.
    public var x: Double
    /// Vertical position.
    public var y: Double

    /// The point (x, y).
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// Finds counter candidates in a whole photo without any per-meter setup.
///
/// Digits on a counter are the largest row of similar, evenly spaced, digit-shaped marks on
/// the meter face. Serial numbers and approval marks are smaller; barcodes are too thin; brand
/// letters vary in width. The locator binarises in both polarities (black drums with white
/// digits, white drums with black ones, LCDs), links shapes into rows, merges rows of opposite
/// polarity that continue each other (black integer drums followed by red fraction drums), and
/// ranks the rows.
public struct CounterLocator: Sendable {
    /// Tunables, in pixels of the image handed to `locate` unless noted.
    public struct Settings: Sendable, Hashable {
        /// Smallest digit height considered.
        public var minimumDigitHeight = 9
        /// Largest digit height, as a share of the image height.
        public var maximumDigitHeightShare = 0.3
        /// Sauvola window radius as a share of the image's shorter side.
        public var thresholdRadiusShare = 0.035
        /// Sauvola sensitivity.
        public var thresholdK = 0.25
        /// Sauvola sensitivity of the extra dark-ink pass for faint (embossed) digits; nil: none.
        public var faintThresholdK: Double? = 0.12
        /// How many candidates to keep, best first. Rows of wall tiles or a grid behind the
        /// meter are larger and as regular as a counter: a small counter can rank seventh, a
        /// clear LCD beside a tiled wall twenty-second (the reader skips rows read as no digits).
        public var maximumCandidates = 30
        /// Whether a drum window the threshold took for solid is searched on its own for a faint
        /// digit (`faintDigit(inSolidWindow:)`). Off by default, a look for photos where nothing
        /// else was found: searched in every photo, faint fraction windows joined rows that read
        /// well without them and, ranked higher, kept the second look from finding a faint first
        /// digit (two wrong acceptances on the tuning sets).
        public var searchesSolidWindows = false

        /// Defaults measured on the samples' dev split.
        public init() {}
    }

    /// The settings in use.
    public var settings: Settings

    /// A locator with `settings`.
    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// What the locator looked at, for audit pictures.
    public struct Evidence: Sendable {
        /// Ink found by the dark-ink and the light-ink threshold passes.
        public var binaries: [Image] = []
        /// Shapes that passed the digit-shape test, both passes.
        public var digitShapes: [Blob] = []
        /// Wall time of each locating step, in milliseconds.
        public var milliseconds: [String: Double] = [:]

        /// Nothing seen yet.
        public init() {}
    }

    /// Ranked counter candidates in a gray image, best first (empty when nothing looks like one).
    public func locate(_ gray: Image) -> [CounterCandidate] {
        var evidence = Evidence()
        return locate(gray, evidence: &evidence)
    }

    /// `locate`, also handing back the threshold pictures and the digit-shaped blobs.
    public func locate(_ gray: Image, evidence: inout Evidence) -> [CounterCandidate] {
        precondition(gray.format == .gray, "locate takes a gray image")
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ stage: String) {
            let now = clock.now
            let (seconds, attoseconds) = mark.duration(to: now).components
            evidence.milliseconds[stage, default: 0] += Double(seconds) * 1000 + Double(attoseconds) / 1e15
            mark = now
        }
        let integral = IntegralImage(gray)
        lap("integral")
        // At most 120: the 32-bit squares table is exact for windows up to 257×257.
        let radius = min(120, max(4, Int(Double(min(gray.width, gray.height)) * settings.thresholdRadiusShare)))
        var rows: [Row] = []
        var marks: [Bool: [Blob]] = [:]
        let passes = Threshold.sauvolaPasses(
            gray, integral: integral, radius: radius, k: settings.thresholdK, faintK: settings.faintThresholdK)
        // Digits embossed in a metal plate are barely darker than the plate, with a dark edge
        // on one side: the usual sensitivity finds only that edge. A more sensitive dark pass
        // finds the whole digit. Its rows are kept even where the usual passes found the same
        // row: the fuller shapes often give a better strip (dropping them lost more readings
        // than it won on the tuning sets).
        lap("threshold")
        var binaries = [(darkInk: true, binary: passes.dark), (false, passes.light)]
        if let faintDark = passes.faintDark { binaries.append((true, faintDark)) }
        var shapesPerPass: [[Blob]] = []
        var windowDigits: [Bool: [Blob]] = [:]
        for (index, (darkInk, binary)) in binaries.enumerated() {
            let blobs = Components.blobs(in: binary, minimumArea: 2)
            lap("components")
            shapesPerPass.append(blobs.filter {
                $0.area >= 12 && isDigitShaped($0, imageHeight: gray.height) && !isFramed($0, in: binary)
            })
            if marks[darkInk] == nil { marks[darkInk] = blobs.filter { $0.height < 3 * settings.minimumDigitHeight } }
            // A digit that touches its drum window's frame merges with the frame in its own ink;
            // in the other ink the window's inside is a blob of its own, with the digit as its
            // hole. (Only the usual passes: the faint one finds no windows the dark one misses.)
            if index < 2 {
                windowDigits[!darkInk] = blobs.compactMap {
                    digitInWindow($0, in: binary, gray: gray, windowDarkInk: darkInk)
                }
            }
            evidence.binaries.append(binary)
        }
        for (index, (darkInk, _)) in binaries.enumerated() {
            var blobs = shapesPerPass[index]
            if index < 2 {
                // Only where the digit's own ink found no whole digit: a digit found both ways
                // would make a second row of the same counter, with a slightly other outline.
                // Pieces of a digit the threshold broke (thin strokes) give way to the whole.
                let found = (windowDigits[darkInk] ?? []).filter { digit in !blobs.contains { $0.holds(digit) } }
                blobs = blobs.filter { piece in !found.contains { $0.holds(piece) } } + found
            }
            // Dark ink only: relief digits break in the dark passes (their shadowed edge); in
            // the light pass, joining took a dial's pointer or a breaker's toggle with its label
            // for digits, and their larger rows sent right readings to a clerk.
            if darkInk { blobs = joinStackedPieces(blobs, imageHeight: gray.height) }
            evidence.digitShapes += blobs
            rows += linkRows(blobs.map { Shape(blob: $0, darkInk: darkInk) })
        }
        // Merge first, so a row is only extended past ends that no other row continues; then
        // merge again, as extending can close the gap between two rows.
        rows = mergeContinuations(rows)
        rows = rows.map { extend($0, dark: passes.dark, light: passes.light, faintDark: passes.faintDark) }
        rows = mergeContinuations(rows)
        let candidates = rows.compactMap { row in
            candidate(from: row).map { found in
                var result = withDecimalSeparator(found, marks: marks)
                let first = result.cellCenters.startIndex
                let last = result.cellCenters.endIndex - 1
                let usual = (dark: passes.dark, light: passes.light)
                result.inkBeforeFirst = inkBeyond(result, position: first, direction: -1, in: usual)
                result.inkAfterLast = inkBeyond(result, position: last, direction: 1, in: usual)
                return result
            }
        }
        lap("rows")
        // The faint pass finds clear rows a second time: keep the better-ranked of each such pair.
        var distinct: [CounterCandidate] = []
        for candidate in candidates.sorted(by: { $0.score > $1.score })
        where !distinct.contains(where: { $0.isSameRow(as: candidate) }) {
            distinct.append(candidate)
            if distinct.count == settings.maximumCandidates { break }
        }
        return distinct
    }

    /// Finds a decimal point or comma: a small mark in the gap between two digits, in the
    /// lower half of the row, in the same ink as the digit before it.
    func withDecimalSeparator(_ candidate: CounterCandidate, marks: [Bool: [Blob]]) -> CounterCandidate {
        var result = candidate
        let centers = candidate.cellCenters
        let c = cos(candidate.angle)
        let s = sin(candidate.angle)
        let height = candidate.digitHeight
        let pitch = candidate.pitch
        var best: (index: Int, misfit: Double)? = nil
        for index in 0..<(centers.count - 1) {
            let left = centers[index]
            for blob in marks[candidate.darkInk[index]] ?? [] {
                // A point is a dot; a comma hangs below the baseline but stays small.
                guard Double(blob.height) < 0.55 * height, Double(blob.width) < 0.4 * pitch,
                    Double(blob.height) > 0.06 * height, Double(blob.width) > 0.04 * height
                else { continue }
                // Solid and compact: a dot or a comma, not a sliver of shadow or a scratch.
                let aspect = Double(blob.width) / Double(blob.height)
                guard blob.fill >= 0.45, aspect > 0.3, aspect < 2.5 else { continue }
                let dx = blob.centerX - left.x
                let dy = blob.centerY - left.y
                let along = dx * c + dy * s
                let across = -dx * s + dy * c
                // Past its digit's own ink, and low: a point sits on the baseline, its centre a
                // good third of a digit below the row's centre line; what sits higher in the gap
                // is a lone segment of a seven-segment "4" or "7", or the end of a stroke.
                guard along > 0.36 * pitch, along < 0.85 * pitch, across > 0.28 * height, across < 0.8 * height
                else { continue }
                // Closest to the middle of the gap, just under the baseline, wins.
                let misfit = abs(along / pitch - 0.55) + abs(across / height - 0.45)
                if best == nil || misfit < best!.misfit { best = (index, misfit) }
            }
        }
        result.decimalAfter = best?.index
        return result
    }

    // MARK: - Shapes

    struct Shape: Hashable {
        var blob: Blob
        var darkInk: Bool
        /// Not a blob of its own: a position added where the row continues with ink that did not
        /// separate into a digit shape (touching a window frame, caught mid-roll).
        var inferred = false
        /// Inferred from the faint dark-ink pass alone.
        var faint = false
        /// How far the digit position's centre lies from the blob's centre (see
        /// `alignNarrowShapes`).
        var shift = 0.0
        var x: Double { blob.centerX + shift }
        var y: Double { blob.centerY }
        var height: Double { Double(blob.height) }
        var width: Double { Double(blob.width) }
    }

    func isDigitShaped(_ blob: Blob, imageHeight: Int) -> Bool {
        let height = blob.height
        guard height >= settings.minimumDigitHeight,
            Double(height) <= settings.maximumDigitHeightShare * Double(imageHeight)
        else { return false }
        let aspect = Double(blob.width) / Double(height)
        guard aspect >= 0.12, aspect <= 1.0 else { return false }
        let fill = blob.fill
        // A "1" is a nearly solid bar; window interiors and glare spots are solid and wide.
        if aspect < 0.3 { return fill >= 0.3 }
        return fill >= 0.15 && fill <= 0.78
    }

    /// Whether ink runs all around the blob's bounding box: the bright inside of a drum window
    /// or an LCD panel (a filled region with the digit as a hole) rather than a digit, whose
    /// strokes touch its box only here and there.
    func isFramed(_ blob: Blob, in binary: Image) -> Bool {
        // A solid bar touches its box all round too: that is a "1" (a seven-segment one, a
        // bold printed one), not a window interior, which is at least as wide as a digit.
        guard blob.width >= 3, blob.height >= 3, Double(blob.width) >= 0.3 * Double(blob.height) else { return false }
        var ink = 0
        var total = 0
        binary.pixels.withUnsafeBufferPointer { pixels in
            for x in blob.minX...blob.maxX {
                ink += pixels[blob.minY * binary.width + x] != 0 ? 1 : 0
                ink += pixels[blob.maxY * binary.width + x] != 0 ? 1 : 0
                total += 2
            }
            for y in (blob.minY + 1)..<blob.maxY {
                ink += pixels[y * binary.width + blob.minX] != 0 ? 1 : 0
                ink += pixels[y * binary.width + blob.maxX] != 0 ? 1 : 0
                total += 2
            }
        }
        return Double(ink) / Double(total) > 0.9
    }

    /// The digit inside a drum window: the hole in a window-sized blob (the window's bright or
    /// dark inside) that sits at its centre, spans most of its height and has a digit's
    /// shape. Nil for anything else: floor tiles have no hole, and the holes of letters and
    /// digits (0, 6, 8, 9, O, A) are either short or solid, where a digit is strokes.
    func digitInWindow(_ window: Blob, in binary: Image, gray: Image, windowDarkInk: Bool) -> Blob? {
        let aspect = Double(window.width) / Double(window.height)
        guard window.height > settings.minimumDigitHeight + 2, aspect >= 0.35, aspect <= 1.2,
            window.fill >= 0.4,
            Double(window.height) <= settings.maximumDigitHeightShare * Double(gray.height)
        else { return nil }
        guard window.fill <= 0.92, let digit = centredHole(of: window, in: binary) else {
            guard settings.searchesSolidWindows else { return nil }
            return faintDigit(inSolidWindow: window, gray: gray, digitDarkInk: !windowDarkInk)
        }
        let found = Blob(
            minX: digit.minX + window.minX, minY: digit.minY + window.minY,
            maxX: digit.maxX + window.minX, maxY: digit.maxY + window.minY, area: digit.area)
        return isDigitShaped(found, imageHeight: gray.height) ? found : nil
    }

    /// The largest hole of `window` (in `binary`) that sits at its centre, spans most of its
    /// height and is made of strokes, in the window's own coordinates; nil when there is none.
    func centredHole(of window: Blob, in binary: Image) -> Blob? {
        // The window's box, inverted: its holes become ink.
        let holes = Components.blobs(
            in: binary.cropped(x: window.minX, y: window.minY, width: window.width, height: window.height).inverted(),
            minimumArea: 4)
        let (width, height) = (Double(window.width), Double(window.height))
        let centred = holes.filter { hole in
            // Corners outside a tilted window are holes of the box too, but off-centre.
            abs(hole.centerX - (width - 1) / 2) < 0.15 * width && abs(hole.centerY - (height - 1) / 2) < 0.15 * height
                && Double(hole.height) >= 0.55 * height && Double(hole.width) <= 0.85 * width
                && hole.fill <= 0.65
        }
        return centred.max(by: { $0.area < $1.area })
    }

    /// How far apart (gray levels) the means of a window's two Otsu classes must be for the
    /// darker (or lighter) one to be a faint digit rather than noise on a plain ground.
    let minimumFaintDigitContrast = 30.0

    /// The digit inside a drum window the threshold took for solid: a soft, faint digit (a
    /// blurred photo of small drums) is lost in its window's ground at the threshold's scale,
    /// but the window's inside, thresholded on its own, still holds it: a centred, digit-tall
    /// piece of ink clearly darker (or lighter) than the ground. Only windows taller than wide:
    /// an LCD panel or a glare spot is wider, and a tile's uniform inside holds no such piece.
    func faintDigit(inSolidWindow window: Blob, gray: Image, digitDarkInk: Bool) -> Blob? {
        let aspect = Double(window.width) / Double(window.height)
        guard aspect <= 0.95 else { return nil }
        // The inside, clear of the frame's soft edge.
        let (insetX, insetY) = (max(1, window.width / 10), max(1, window.height / 10))
        let (left, top) = (window.minX + insetX, window.minY + insetY)
        let inside = gray.cropped(
            x: left, y: top, width: window.width - 2 * insetX, height: window.height - 2 * insetY)
        let histogram = Threshold.histogram(inside)
        let level = Threshold.otsu(histogram)
        // The two classes' means apart by a digit's contrast, not noise on a plain ground.
        guard let means = Threshold.classMeans(histogram, level: level),
            means.light - means.dark >= minimumFaintDigitContrast
        else { return nil }
        let ink = Threshold.binarize(inside, level: level, darkInk: digitDarkInk)
        let (width, height) = (Double(inside.width), Double(inside.height))
        guard
            let digit = Components.blobs(in: ink, minimumArea: 4).max(by: { $0.area < $1.area }),
            Double(digit.height) >= 0.6 * height, abs(digit.centerX - (width - 1) / 2) < 0.15 * width,
            Double(digit.area) <= 0.6 * width * height
        else { return nil }
        return Blob(
            minX: digit.minX + left, minY: digit.minY + top, maxX: digit.maxX + left, maxY: digit.maxY + top,
            area: digit.area)
    }

    // MARK: - Rows

    /// Shapes that line up, left to right.
    struct Row {
        var shapes: [Shape]
    }

    /// Whether `right` can follow `left` in the same row of digits.
    func follows(_ right: Shape, _ left: Shape) -> Bool {
        let height = max(left.height, right.height)
        let ratio = max(left.height, right.height) / min(left.height, right.height)
        guard ratio <= 1.3 else { return false }
        let gap = Double(right.blob.minX - left.blob.maxX)
        // Up to one missing digit (mid-roll, touching its frame) between two found ones.
        guard gap >= -0.15 * height, gap <= 2.2 * height else { return false }
        let dx = right.x - left.x
        guard dx > 0.25 * height else { return false }
        // Up to ~15° of tilt between neighbours, plus slack for uneven glyph heights.
        return abs(right.y - left.y) <= 0.3 * dx + 0.2 * height
    }

    func linkRows(_ shapes: [Shape]) -> [Row] {
        let sorted = shapes.sorted { $0.x < $1.x }
        var next = [Int?](repeating: nil, count: sorted.count)
        var hasPrevious = [Bool](repeating: false, count: sorted.count)
        for index in sorted.indices {
            var best: (Int, Double)? = nil
            for other in (index + 1)..<sorted.count {
                if sorted[other].x - sorted[index].x > 3.5 * sorted[index].height { break }
                guard follows(sorted[other], sorted[index]) else { continue }
                let distance = sorted[other].x - sorted[index].x
                    + 2 * abs(sorted[other].y - sorted[index].y)
                if best == nil || distance < best!.1 { best = (other, distance) }
            }
            if let (target, _) = best, !hasPrevious[target] {
                next[index] = target
                hasPrevious[target] = true
            }
        }
        var rows: [Row] = []
        for start in sorted.indices where !hasPrevious[start] {
            var members = [sorted[start]]
            var cursor = start
            while let following = next[cursor] {
                members.append(sorted[following])
                cursor = following
            }
            if members.count >= 3 { rows.append(Row(shapes: members)) }
        }
        return rows
    }

    /// Continues a row past its ends, one pitch at a time, while the next position holds ink of
    /// digit height that did not come out as a digit shape of its own: a digit touching its
    /// window frame, or a drum caught between two digits. Before the row, ink only the faint
    /// dark pass keeps counts too, and such positions are marked (`Shape.faint`).
    func extend(_ row: Row, dark: Image, light: Image, faintDark: Image?) -> Row {
        var shapes = row.shapes
        let height = medianHeight(shapes)
        let pitch = medianSpacing(shapes)
        let width = shapes.map(\.width).max() ?? height / 2
        let slope = lineFit(shapes).slope
        let digitWidth = typicalWidth(shapes)
        for direction in [1.0, -1.0] {
            for _ in 0..<4 {
                guard shapes.count < 10 else { break }
                let end = direction > 0 ? shapes[shapes.count - 1] : shapes[0]
                let binary = end.darkInk ? dark : light
                // A "1" ending the row sits off its position's centre (at the right on
                // seven-segment displays): the next position is counted on from the nearest
                // digit-wide shape, whose centre is its position's.
                func isWide(_ shape: Shape) -> Bool { shape.width >= 0.6 * digitWidth }
                let reference = (direction > 0 ? shapes.last(where: isWide) : shapes.first(where: isWide)) ?? end
                let steps = (abs(end.x - reference.x) / pitch).rounded() + 1
                let x = reference.x + direction * steps * pitch
                let y = reference.y + direction * steps * pitch * slope
                var faint = false
                if !inkLooksLikeDigit(in: binary, x: x, y: y, width: width, height: height, midRoll: direction > 0) {
                    // A thin stroke of a dark digit before the row (the left side of a "0" on
                    // a tilted or blurred panel) can fade in the usual pass and leave too
                    // little of the digit; the faint pass keeps it. Only before the row: after
                    // it, the faint pass takes units and lettering for digits.
                    guard direction < 0, end.darkInk, let faintDark,
                        inkLooksLikeDigit(in: faintDark, x: x, y: y, width: width, height: height)
                    else { break }
                    faint = true
                }
                let blob = Blob(
                    minX: Int(x - width / 2), minY: Int(y - height / 2), maxX: Int(x + width / 2),
                    maxY: Int(y + height / 2), area: 0)
                var shape = Shape(blob: blob, darkInk: end.darkInk, inferred: true)
                // Counted on from a position only the faint pass gave, a position is no surer.
                shape.faint = faint || direction < 0 && shapes[0].faint
                if direction > 0 { shapes.append(shape) } else { shapes.insert(shape, at: 0) }
            }
        }
        return Row(shapes: shapes)
    }

    /// Ink in a digit-sized box that spans most of the digit height but does not fill the box;
    /// with `midRoll`, also ink at the box's top and bottom over half its height with rows of
    /// ground between: a drum caught between two digits shows the foot of one above a gap and
    /// the head of the next below it.
    func inkLooksLikeDigit(
        in binary: Image, x: Double, y: Double, width: Double, height: Double, midRoll: Bool = false
    ) -> Bool {
        guard let ink = InkBox(binary, x: x, y: y, width: width, height: height) else { return false }
        // (The gap tells a drum from lettering after the row: a unit's "k" reaches as high
        // and low, but its ink runs on unbroken.)
        let tall = ink.extent > 0.75 || midRoll && ink.topAndBottom && ink.extent > 0.5 && ink.gap >= 0.15
        // Centred ink of some width: the edge of a panel or drum area is a band at one side.
        guard ink.share > 0.1, ink.share < 0.6, tall, ink.centroid > 0.25, ink.centroid < 0.75,
            ink.spread > 0.35
        else { return false }
        return !ink.runsPastDigit(binary, y: y, height: height)
    }

    /// Whether ink one pitch beyond an end `position` of the row (`direction` -1: before it,
    /// 1: after it) could be one more digit that was not taken into the row: too dense,
    /// off-centre (a seven-segment "1") or broken at the locating scale. A reading of the row
    /// alone may then lack a digit, so it must not be accepted unseen; a window frame or housing
    /// edge that runs on past the digit height, and background, do not count.
    func inkBeyond(
        _ candidate: CounterCandidate, position: Int, direction: Double, in passes: (dark: Image, light: Image)
    ) -> Bool {
        let end = candidate.cellCenters[position]
        let binary = candidate.darkInk[position] ? passes.dark : passes.light
        let x = end.x + direction * candidate.pitch * cos(candidate.angle)
        let y = end.y + direction * candidate.pitch * sin(candidate.angle)
        guard let ink = InkBox(binary, x: x, y: y, width: candidate.digitWidth, height: candidate.digitHeight)
        else { return false }
        // Before the row, ink hugging the left side of the position is the edge of the window
        // or panel: digits, a seven-segment "1" included, sit centred or to the right.
        if direction < 0, ink.centroid < 0.3 { return false }
        // Ink at the box's top and bottom over half the height counts; after the row, over a
        // quarter of it (a drum caught mid-roll shows only the foot of one digit at the top and
        // the head of the next at the bottom), and ink over two thirds of the height even if it
        // misses the box's top or bottom (an italic digit leans out of the upright box).
        let digitTall = ink.topAndBottom && ink.extent > (direction > 0 ? 0.25 : 0.5)
            || direction > 0 && ink.extent >= 0.65
        return ink.share > 0.04 && ink.share < 0.8 && digitTall
            && !ink.runsPastDigit(binary, y: y, height: candidate.digitHeight)
    }

    /// Joins a row with another that continues it: same line, same size, one pitch further on.
    func mergeContinuations(_ rows: [Row]) -> [Row] {
        var pending = rows.sorted { $0.shapes[0].x < $1.shapes[0].x }
        var merged = true
        while merged {
            merged = false
            outer: for i in pending.indices {
                for j in pending.indices where j != i {
                    let left = pending[i].shapes
                    let right = pending[j].shapes
                    guard let last = left.last, let first = right.first, first.x > last.x else {
                        continue
                    }
                    let pitch = medianSpacing(left)
                    let heightRatio = medianHeight(left) / medianHeight(right)
                    guard heightRatio > 0.7, heightRatio < 1.45 else { continue }
                    let dx = first.x - last.x
                    guard dx > 0.5 * pitch, dx < 2.6 * pitch else { continue }
                    let slope = lineFit(left).slope
                    let expectedY = last.y + slope * dx
                    guard abs(first.y - expectedY) < 0.35 * medianHeight(left) else { continue }
                    pending[i] = Row(shapes: left + right)
                    pending.remove(at: j)
                    merged = true
                    break outer
                }
            }
        }
        return pending
    }

    // MARK: - Candidates

    func candidate(from row: Row) -> CounterCandidate? {
        let shapes = trimIrregularEnds(joinPiecesOfOneDigit(alignNarrowShapes(row.shapes)))
        guard shapes.count >= 3 else { return nil }
        // Barcodes and hatching are rows of bars; a counter has some digits wider than a "1".
        let wide = shapes.count { !$0.inferred && $0.width >= 0.35 * $0.height }
        guard wide * 3 >= shapes.count else { return nil }
        let height = medianHeight(shapes)
        let fit = lineFit(shapes)
        let angle = atan(fit.slope)
        let cosine = cos(angle)
        // Positions along the row (projected on its direction).
        let along = shapes.map { ($0.x - shapes[0].x) / cosine }
        var spacings: [Double] = []
        for index in 1..<along.count { spacings.append(along[index] - along[index - 1]) }
        // Gaps of ~2 or 3 pitches hold undetected digits.
        let pitch = refinePitch(spacings, initial: gridPitch(spacings, atLeast: 0.9 * typicalWidth(shapes)))
        guard pitch > 0.3 * height, pitch < 2.2 * height else { return nil }
        var centers: [Point] = []
        var inferred: [Bool] = []
        var darkInk: [Bool] = []
        for (index, shape) in shapes.enumerated() {
            if index > 0 {
                // A gap of one and a half pitches is the frame between the integer drums and
                // the fraction drums (or a decimal point's room), not a digit the threshold
                // missed: only a gap close to a whole number of pitches holds hidden digits.
                let ratio = spacings[index - 1] / pitch
                let steps = abs(ratio - ratio.rounded()) <= 0.35 ? Int(ratio.rounded()) : Int(ratio)
                if steps > 4 { return nil }  // not one counter
                if steps >= 2 {
                    for step in 1..<steps {
                        let t = Double(step) / Double(steps)
                        let previous = shapes[index - 1]
                        centers.append(
                            Point(
                                x: previous.x + (shape.x - previous.x) * t,
                                y: previous.y + (shape.y - previous.y) * t))
                        inferred.append(true)
                        darkInk.append(previous.darkInk)
                    }
                }
            }
            centers.append(Point(x: shape.x, y: fit.y(at: shape.x)))
            inferred.append(shape.inferred)
            darkInk.append(shape.darkInk)
        }
        // A counter shows most of its digits: a row that is more gap than shape is floor
        // tiles or a grid that happens to fall on a pitch, not digits the threshold missed.
        let interpolated = centers.count - shapes.count
        guard 2 * interpolated <= shapes.count(where: { !$0.inferred }) else { return nil }
        let widths = shapes.filter { !$0.inferred }.map(\.width).sorted()
        let digitWidth = widths[Int(Double(widths.count - 1) * 0.8)]
        let heights = shapes.filter { !$0.inferred }.map(\.height)
        let heightSpread = standardDeviation(heights) / height
        let residual = spacings.map { abs($0 / pitch - ($0 / pitch).rounded()) }.reduce(0, +)
            / Double(spacings.count)
        let count = Double(min(centers.count, 9))
        let found = Double(shapes.count { !$0.inferred }) / Double(centers.count)
        // Bigger, longer, more regular rows score higher; counters have 4–9 digits.
        var score = count * height * found
        score *= max(0.2, 1 - 2 * heightSpread)
        score *= max(0.2, 1 - 2 * residual)
        if centers.count > 10 { score *= 0.5 }
        var result = CounterCandidate(
            cellCenters: centers, digitHeight: height, digitWidth: digitWidth, pitch: pitch,
            angle: angle, inferred: inferred, score: score, darkInk: darkInk, decimalAfter: nil)
        result.faintlyInferredLeading = shapes.prefix(while: \.faint).count
        return result
    }

    /// A "1" fills only part of its digit position: the middle on drums and in most fonts, the
    /// right-hand side on seven-segment displays (only the right segments light). Its blob
    /// centre then sits off the pitch and breaks the row's regularity. Each narrow shape is
    /// moved, within the room a digit-wide position leaves around it, to the pitch grid of the
    /// wide shapes nearest to it.
    func alignNarrowShapes(_ shapes: [Shape]) -> [Shape] {
        let found = shapes.filter { !$0.inferred }
        guard found.count >= 3 else { return shapes }
        let digitWidth = typicalWidth(found)
        func isNarrow(_ shape: Shape) -> Bool { shape.width < 0.6 * digitWidth }
        let wide = found.filter { !isNarrow($0) }
        let narrow = found.filter(isNarrow)
        guard wide.count >= 2, !narrow.isEmpty else { return shapes }
        var spacings: [Double] = []
        for index in 1..<wide.count { spacings.append(wide[index].x - wide[index - 1].x) }
        // Where a digit-wide position holding the narrow shape can be centred.
        func room(_ shape: Shape) -> ClosedRange<Double>? {
            let lowest = Double(shape.blob.maxX) - digitWidth / 2
            let highest = Double(shape.blob.minX) + digitWidth / 2
            return lowest <= highest ? lowest...highest : nil
        }
        func gridPoint(near shape: Shape, pitch: Double) -> Double? {
            guard let anchor = wide.min(by: { abs($0.x - shape.x) < abs($1.x - shape.x) }) else { return nil }
            return anchor.x + ((shape.x - anchor.x) / pitch).rounded() * pitch
        }
        // Wide shapes may stand every second position ("0 1 7 1 9"): the pitch is the one, down
        // to a third of their spacings, that fits their spacings and leaves a grid point within
        // each narrow shape's room; the larger on a tie.
        var best: (fits: Int, pitch: Double)? = nil
        for spacing in spacings {
            for divisor in 1...3 {
                let pitch = spacing / Double(divisor)
                guard pitch >= 0.9 * digitWidth else { continue }
                var fits = spacings.count { other in
                    let steps = other / pitch
                    return steps.rounded() >= 1 && abs(steps - steps.rounded()) <= 0.22
                }
                fits += narrow.count { shape in
                    guard let room = room(shape), let point = gridPoint(near: shape, pitch: pitch) else { return false }
                    let slack = 0.15 * pitch
                    return point >= room.lowerBound - slack && point <= room.upperBound + slack
                }
                if best == nil || fits > best!.fits || (fits == best!.fits && pitch > best!.pitch) {
                    best = (fits, pitch)
                }
            }
        }
        guard let pitch = best?.pitch else { return shapes }
        var result = shapes
        for index in result.indices where !result[index].inferred && isNarrow(result[index]) {
            let shape = result[index]
            guard let room = room(shape), let target = gridPoint(near: shape, pitch: pitch) else { continue }
            result[index].shift = min(max(target, room.lowerBound), room.upperBound) - shape.blob.centerX
        }
        return result
    }

    /// A digit the threshold broke into two strokes (the sides of a blurred "0") gives two
    /// narrow shapes, and aligning moves both to the same position: counted twice, they shorten
    /// the pitch and every cell after them drifts. Shapes less than a third of a digit width
    /// apart are one digit, their union.
    func joinPiecesOfOneDigit(_ shapes: [Shape]) -> [Shape] {
        let digitWidth = typicalWidth(shapes)
        var joined: [Shape] = []
        for shape in shapes {
            if let last = joined.last, !last.inferred, !shape.inferred, shape.darkInk == last.darkInk,
                shape.x - last.x < digitWidth / 3
            {
                joined[joined.count - 1] = Shape(blob: last.blob.union(shape.blob), darkInk: shape.darkInk)
            } else {
                joined.append(shape)
            }
        }
        return joined
    }

    /// Relief digits (embossed in a plate) show a dark edge on one side and a lighter core: the
    /// threshold can cut one digit into an upper and a lower piece, each digit-shaped, one
    /// shifted along the shadow. Stacked pieces in one column are one digit, their union: two
    /// digits of a row stand side by side, and a row above or below lies more than a digit away.
    func joinStackedPieces(_ blobs: [Blob], imageHeight: Int) -> [Blob] {
        var pieces = blobs.sorted { $0.minX < $1.minX }
        var index = 0
        while index < pieces.count {
            let piece = pieces[index]
            let partner = pieces[(index + 1)...].prefix { $0.minX <= piece.maxX }.firstIndex { other in
                let overlap = min(piece.maxX, other.maxX) - max(piece.minX, other.minX) + 1
                let height = max(piece.maxY, other.maxY) - min(piece.minY, other.minY) + 1
                // Mostly one above the other, their boxes overlapping in height too (a row
                // above or below is apart), and together taller than either.
                return 2 * overlap >= min(piece.width, other.width)
                    && height < piece.height + other.height && height > max(piece.height, other.height)
                    && isDigitShaped(piece.union(other), imageHeight: imageHeight)
            }
            if let partner {
                pieces[index] = piece.union(pieces[partner])
                pieces.remove(at: partner)
            } else {
                index += 1
            }
        }
        return pieces
    }

    /// Drops shapes at either end that sit off the row's pitch: the edge of a window frame or
    /// of the housing next to the last digit looks like a "1" but is not a pitch away.
    func trimIrregularEnds(_ shapes: [Shape]) -> [Shape] {
        var shapes = shapes
        while shapes.count > 3 {
            var spacings: [Double] = []
            for index in 1..<shapes.count { spacings.append(shapes[index].x - shapes[index - 1].x) }
            let pitch = gridPitch(spacings, atLeast: 0.9 * typicalWidth(shapes))
            func offPitch(_ spacing: Double) -> Bool {
                let steps = spacing / pitch
                return abs(steps - max(1, steps.rounded())) > 0.22
            }
            if offPitch(spacings[spacings.count - 1]) {
                shapes.removeLast()
            } else if offPitch(spacings[0]) {
                shapes.removeFirst()
            } else {
                break
            }
        }
        return shapes
    }

    /// The pitch of a row whose spacings are whole multiples of it: the one (at least
    /// `minimum`, a pitch is never narrower than a digit) that most spacings fit, the larger on
    /// a tie. The median spacing is wrong as soon as half the gaps hide an undetected digit.
    func gridPitch(_ spacings: [Double], atLeast minimum: Double) -> Double {
        let median = spacings.sorted()[spacings.count / 2]
        var best: (fits: Int, pitch: Double)? = nil
        // Only spacings seen between two shapes are tried: a fraction of one fits every
        // spacing (in its own, finer units) and would split each digit in two.
        for pitch in spacings where pitch >= minimum {
            let fits = spacings.count { other in
                let steps = other / pitch
                return steps.rounded() >= 1 && steps.rounded() <= 4 && abs(steps - steps.rounded()) <= 0.22
            }
            if best == nil || fits > best!.fits || (fits == best!.fits && pitch > best!.pitch) {
                best = (fits, pitch)
            }
        }
        return best?.pitch ?? median
    }

    /// Width of the wider found shapes (a "1" is narrower), the typical width of a digit.
    func typicalWidth(_ shapes: [Shape]) -> Double {
        let widths = shapes.filter { !$0.inferred }.map(\.width).sorted()
        guard !widths.isEmpty else { return 0 }
        return widths[Int(Double(widths.count - 1) * 0.8)]
    }

    /// The spacing that best explains all spacings as whole multiples of it.
    func refinePitch(_ spacings: [Double], initial: Double) -> Double {
        var total = 0.0
        var steps = 0.0
        for spacing in spacings {
            let multiple = max(1, (spacing / initial).rounded())
            guard multiple <= 4 else { continue }
            total += spacing
            steps += multiple
        }
        return steps > 0 ? total / steps : initial
    }
}

// MARK: - Small statistics

struct LineFit {
    var slope: Double
    var intercept: Double
    func y(at x: Double) -> Double { slope * x + intercept }
}

func lineFit(_ shapes: [CounterLocator.Shape]) -> LineFit {
    let n = Double(shapes.count)
    let meanX = shapes.map(\.x).reduce(0, +) / n
    let meanY = shapes.map(\.y).reduce(0, +) / n
    var sxx = 0.0
    var sxy = 0.0
    for shape in shapes {
        sxx += (shape.x - meanX) * (shape.x - meanX)
        sxy += (shape.x - meanX) * (shape.y - meanY)
    }
    let slope = sxx > 0 ? sxy / sxx : 0
    return LineFit(slope: slope, intercept: meanY - slope * meanX)
}

func medianHeight(_ shapes: [CounterLocator.Shape]) -> Double {
    let heights = shapes.map(\.height).sorted()
    return heights[heights.count / 2]
}

func medianSpacing(_ shapes: [CounterLocator.Shape]) -> Double {
    guard shapes.count >= 2 else { return medianHeight(shapes) }
    var spacings: [Double] = []
    for index in 1..<shapes.count { spacings.append(shapes[index].x - shapes[index - 1].x) }
    return spacings.sorted()[spacings.count / 2]
}

func standardDeviation(_ values: [Double]) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
    return variance.squareRoot()
}

/// How the ink of a binary picture lies in a digit-sized box: what tells a digit from a stroke
/// of frame or from background.
struct InkBox {
    /// Share of the box that is ink.
    var share: Double
    /// Share of the box's rows holding any ink.
    var extent: Double
    /// Horizontal centre of the ink, 0 (left edge) … 1 (right edge).
    var centroid: Double
    /// Width of the ink's horizontal range as a share of the box width.
    var spread: Double
    /// Ink in both the top and the bottom fifth of the box: a digit reaches both.
    var topAndBottom: Bool
    /// The longest run of rows without ink between the first and the last inked row, as a
    /// share of the box's rows: the drum's ground between two digits caught mid-roll.
    var gap: Double
    /// The box's columns.
    var x0: Int, x1: Int

    /// The ink in the box of `width` × `height` centred on (x, y); nil when the box leaves the
    /// picture or holds no ink.
    init?(_ binary: Image, x: Double, y: Double, width: Double, height: Double) {
        let x0 = Int(x - width * 0.45)
        let x1 = Int(x + width * 0.45)
        let y0 = Int(y - height * 0.5)
        let y1 = Int(y + height * 0.5)
        guard x0 >= 0, y0 >= 0, x1 < binary.width, y1 < binary.height, x1 > x0, y1 > y0 else { return nil }
        var ink = 0
        var rowsWithInk = 0
        var columnSum = 0
        var minColumn = x1
        var maxColumn = x0
        var top = false
        var bottom = false
        var lastInkRow: Int? = nil
        var longestGap = 0
        let fifth = max(1, (y1 - y0 + 1) / 5)
        binary.pixels.withUnsafeBufferPointer { pixels in
            for row in y0...y1 {
                var rowInk = 0
                for column in x0...x1 where pixels[row * binary.width + column] != 0 {
                    rowInk += 1
                    columnSum += column
                    minColumn = min(minColumn, column)
                    maxColumn = max(maxColumn, column)
                }
                ink += rowInk
                if rowInk > 0 {
                    if let lastInkRow { longestGap = max(longestGap, row - lastInkRow - 1) }
                    lastInkRow = row
                    rowsWithInk += 1
                    if row < y0 + fifth { top = true }
                    if row > y1 - fifth { bottom = true }
                }
            }
        }
        guard ink > 0 else { return nil }
        let boxWidth = Double(x1 - x0 + 1)
        share = Double(ink) / (boxWidth * Double(y1 - y0 + 1))
        extent = Double(rowsWithInk) / Double(y1 - y0 + 1)
        centroid = (Double(columnSum) / Double(ink) - Double(x0)) / boxWidth
        spread = Double(maxColumn - minColumn + 1) / boxWidth
        topAndBottom = top && bottom
        gap = Double(longestGap) / Double(y1 - y0 + 1)
        self.x0 = x0
        self.x1 = x1
    }

    /// Whether the box's columns hold ink in every row from 0.8 digit heights above to 0.8
    /// below `y`: the edge of a housing or panel runs on unbroken, while a digit (even one
    /// touching its frame at the side, or caught mid-roll) ends above and below.
    func runsPastDigit(_ binary: Image, y: Double, height: Double) -> Bool {
        let reachTop = max(0, Int(y - height * 0.8))
        let reachBottom = min(binary.height - 1, Int(y + height * 0.8))
        return binary.pixels.withUnsafeBufferPointer { pixels in
            for row in reachTop...reachBottom {
                var rowInk = false
                for column in x0...x1 where pixels[row * binary.width + column] != 0 {
                    rowInk = true
                    break
                }
                if !rowInk { return false }
            }
            return true
        }
    }
}
