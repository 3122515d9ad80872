// swift-tools-version:6.1
import PackageDescription

/// Micro-benchmarks of MeterScan's stages (ordo-one/package-benchmark). Run from this folder:
/// `swift package --allow-writing-to-package-directory benchmark`. End-to-end figures come
/// from `meterscan bench` in the main package.
let package = Package(
    name: "MeterScanBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // A link with a fixed name: a path dependency is named after its folder, and a clone
        // of the repository may live in a folder of any name.
        .package(path: "MeterScan"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Stages",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "MeterScanKit", package: "MeterScan"),
            ],
            path: "Benchmarks/Stages",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
