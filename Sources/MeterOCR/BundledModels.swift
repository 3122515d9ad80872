import Foundation

/// Models that ship inside MeterScan (`Sources/MeterOCR/Models`): the Tesseract model made by
/// `training/train.sh` and the digit network made by `training/cnn/train.sh`, so
/// `--model meterdigits` and `--model digitnet` work without any setup.
public enum BundledModels {
    /// Names of the models in the bundle.
    public static let names: Set<String> = ["meterdigits"]

    /// The weights file of the bundled digit network (`NetworkRecognizer`, made by
    /// `training/cnn/train.sh`).
    public static let digitNetworkFile = "digitnet.bin"

    /// The bundled digit networks: `digitnet.bin`, which reads every cell, then the second
    /// opinion for the cells it is not sure of (training/cnn/README.md, runs 17 and 20).
    public static let digitNetworkFiles = [digitNetworkFile, "digitnet-2.bin"]

    /// The folder holding the bundled `.traineddata` files, or nil when the resource bundle is
    /// not where SwiftPM put it (a binary copied away from its build folder).
    public static var directory: String? {
        folder(containing: "meterdigits.traineddata")
    }

    /// The full path of the bundled model file `name`, or nil when the bundle (or the file) is
    /// missing.
    public static func path(of name: String) -> String? {
        folder(containing: name).map { $0 + "/" + name }
    }

    /// The bundle's `Models` folder, provided it holds `file`.
    private static func folder(containing file: String) -> String? {
        // SwiftPM copies the resources into `<package>_<target>.resources` beside the built
        // products. Looked up by hand: the generated `Bundle.module` traps when it is missing.
        let name = "MeterScan_MeterOCR.resources"
        var candidates = [Bundle.main.bundleURL]
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent())
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for base in candidates {
            let models = base.appendingPathComponent(name).appendingPathComponent("Models")
            if FileManager.default.fileExists(atPath: models.appendingPathComponent(file).path) {
                return models.path
            }
        }
        return nil
    }
}
