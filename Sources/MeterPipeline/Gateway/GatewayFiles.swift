import Foundation

/// A directory photos may be read from. Containment is decided on canonical paths (realpath),
/// so neither `..` nor a symlink inside the directory can lead a gateway line to a file
/// outside it.
struct ConfinedDirectory {
    /// The command-line option that configured the directory, for messages.
    let option: String
    /// The directory as configured.
    let path: String

    /// The canonical path of the directory, or why there is none.
    func root() -> Result<String, GatewayRefusal> {
        guard let root = canonicalPath(path) else {
            return .failure(GatewayRefusal("\(option) directory cannot be opened"))
        }
        return .success(root)
    }

    /// `given` (relative to the directory, or absolute) as a confined canonical path. A path
    /// that does not exist is allowed (the reader reports it missing) as long as its nearest
    /// existing ancestor is inside the directory.
    func resolve(_ given: String, field: String) -> PhotoSource {
        if given.isEmpty { return .refused("\(field) is empty") }
        if given.utf8.contains(0) { return .refused("\(field) contains a NUL byte") }
        // Refused even when it would stay inside: a gateway has no reason to write one.
        if given.split(separator: "/").contains("..") { return .refused("\(field) must not contain '..'") }
        let root: String
        switch self.root() {
        case .success(let value): root = value
        case .failure(let refusal): return .refused(refusal.message)
        }
        let full = given.hasPrefix("/") ? given : root + "/" + given
        return confine(full, root: root, field: field)
    }

    /// The file named `id` (exactly, when `exactFirst`) or `id.<ext>` in the directory. When
    /// none exists, the most likely path, so the reader reports it missing.
    func lookUp(id: String, what: String, extensions: [String], exactFirst: Bool) -> PhotoSource {
        guard isSafeFileID(id) else { return .refused("\(what) is not a plain file id") }
        let root: String
        switch self.root() {
        case .success(let value): root = value
        case .failure(let refusal): return .refused(refusal.message)
        }
        var candidates = exactFirst ? [id] : []
        var seen = Set<String>()
        for ext in extensions + ["jpg", "jpeg", "png", "JPG", "JPEG", "PNG"] where seen.insert(ext).inserted {
            candidates.append(id + "." + ext)
        }
        for name in candidates where pathExists(root + "/" + name) {
            return confine(root + "/" + name, root: root, field: what)
        }
        // Any other extension the gateway chose; sidecar files it may keep next to the media
        // are not photos.
        let prefix = id + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let sidecars: Set<String> = ["json", "txt", "part", "tmp", "download", "crdownload"]
        if let name = names.filter({ name in
            name.hasPrefix(prefix) && name.count > prefix.count
                && !sidecars.contains((name as NSString).pathExtension.lowercased())
        }).sorted().first {
            return confine(root + "/" + name, root: root, field: what)
        }
        return .file(root + "/" + (exactFirst ? id : id + "." + (extensions.first ?? "jpg")))
    }
}

/// A refusal message, as the failure of a `Result`.
struct GatewayRefusal: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// `full` as a canonical path if it stays inside `root` (canonical), else a refusal.
private func confine(_ full: String, root: String, field: String) -> PhotoSource {
    let outside = PhotoSource.refused("\(field) is outside the configured directory")
    if pathExists(full) {
        // A dangling symlink or a loop: whatever it points to, it is not a photo we can vouch for.
        guard let canonical = canonicalPath(full) else { return .refused("\(field) cannot be resolved") }
        return isStrictlyInside(canonical, root: root) ? .file(canonical) : outside
    }
    // Not there (yet): confine the nearest existing ancestor, keep the missing rest as given.
    var missing = [(full as NSString).lastPathComponent]
    var ancestor = (full as NSString).deletingLastPathComponent
    while !pathExists(ancestor) {
        missing.insert((ancestor as NSString).lastPathComponent, at: 0)
        let parent = (ancestor as NSString).deletingLastPathComponent
        if parent == ancestor { return outside }
        ancestor = parent
    }
    guard let canonical = canonicalPath(ancestor) else { return .refused("\(field) cannot be resolved") }
    guard canonical == root || isStrictlyInside(canonical, root: root) else { return outside }
    return .file((canonical == "/" ? "" : canonical) + "/" + missing.joined(separator: "/"))
}

/// Whether `path` names something, a dangling symlink included (lstat, not stat).
private func pathExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}

/// realpath(3): absolute, no `.`/`..`, no symlinks; nil when a component is missing.
private func canonicalPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

private func isStrictlyInside(_ path: String, root: String) -> Bool {
    let prefix = root.hasSuffix("/") ? root : root + "/"
    return path.hasPrefix(prefix) && path.count > prefix.count
}

/// Messenger file ids are short tokens (digits, base64url, an extension); anything else could
/// name a path, so it is refused rather than looked up.
private func isSafeFileID(_ id: String) -> Bool {
    guard !id.isEmpty, id.utf8.count <= 200, !id.hasPrefix(".") else { return false }
    return id.unicodeScalars.allSatisfy { scalar in
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "=", "+", "~": true
        default: false
        }
    }
}

/// The file extension a gateway most likely used for `contentType`.
func fileExtension(forContentType contentType: String?) -> String {
    switch contentType?.lowercased() {
    case "image/png": "png"
    case "image/webp": "webp"
    case "image/gif": "gif"
    case "image/heic": "heic"
    case "image/heif": "heif"
    default: "jpg"
    }
}
