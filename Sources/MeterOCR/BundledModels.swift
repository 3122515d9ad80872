import Foundation

/// Tesseract models that ship inside MeterScan (`Sources/MeterOCR/Models`, made by
/// `training/train.sh`), so `--model meterdigits` works without any tessdata setup.
public enum BundledModels {
    /// Names of the models in the bundle.
    public static let names: Set<String> = ["meterdigits"]

    /// The folder holding the bundled `.traineddata` files, or nil when the resource bundle is
    /// not where SwiftPM put it (a binary copied away from its build folder).
    public static var directory: String? {
        // SwiftPM copies the resources into `<package>_<target>.resources` beside the built
        // products. Looked up by hand: the generated `Bundle.module` traps when it is missing.
        let name = "MeterScan_MeterOCR.resources"
        var candidates = [Bundle.main.bundleURL]
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent())
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for base in candidates {
            let models = base.appendingPathComponent(name).appendingPathComponent("Models")
            if FileManager.default.fileExists(atPath: models.appendingPathComponent("meterdigits.traineddata").path) {
                return models.path
            }
        }
        return nil
    }
}
