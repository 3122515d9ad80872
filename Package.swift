// swift-tools-version:6.1
import PackageDescription

/// Upcoming features every target of ours is built with: no C type leaks into a public API,
/// existentials are spelled `any`, and a file sees only the modules it imports itself.
let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "MeterScan",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meterscan", targets: ["meterscan"]),
        .library(name: "MeterImage", targets: ["MeterImage"]),
        // For the micro-benchmarks in benchmarks/ (a package of its own).
        .library(
            name: "MeterScanKit",
            targets: ["MeterImage", "MeterVision", "MeterOCR", "MeterReading", "MeterQueue", "MeterPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C leaves: the only place that calls libjpeg/libpng (setjmp lives here).
        .target(
            name: "CCodecs",
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]
        ),
        // glibc's allocator settings (mallopt), which Swift's Glibc module does not export.
        .target(name: "CAllocator"),
        .systemLibrary(
            name: "CTesseract",
            pkgConfig: "tesseract",
            providers: [.apt(["libtesseract-dev"])]
        ),
        .target(name: "MeterImage", dependencies: ["CCodecs"], swiftSettings: strictSwift),
        .target(name: "MeterVision", dependencies: ["MeterImage"], swiftSettings: strictSwift),
        .target(
            name: "MeterOCR",
            dependencies: ["MeterImage", "CTesseract"],
            // Our own digits model (issue 5, training/), found without configuration.
            resources: [.copy("Models")],
            swiftSettings: strictSwift
        ),
        .target(name: "MeterReading", swiftSettings: strictSwift),
        .target(
            name: "MeterQueue",
            dependencies: [
                "MeterReading",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            swiftSettings: strictSwift
        ),
        // The same store on PostgreSQL, for several workers on one database (issue 9).
        .target(
            name: "MeterQueuePostgres",
            dependencies: [
                "MeterQueue", "MeterReading",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "MeterPipeline",
            dependencies: [
                "MeterImage", "MeterVision", "MeterOCR", "MeterReading", "MeterQueue", "CAllocator",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "meterscan",
            dependencies: [
                "MeterPipeline", "MeterQueue", "MeterQueuePostgres", "MeterReading",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "MeterImageTests",
            dependencies: ["MeterImage"],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "MeterVisionTests", dependencies: ["MeterVision"], swiftSettings: strictSwift),
        .testTarget(name: "MeterOCRTests", dependencies: ["MeterOCR"], swiftSettings: strictSwift),
        .testTarget(name: "MeterReadingTests", dependencies: ["MeterReading"], swiftSettings: strictSwift),
        .testTarget(
            name: "MeterQueueTests",
            dependencies: ["MeterQueue", "MeterQueuePostgres", "MeterReading"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "MeterPipelineTests",
            dependencies: ["MeterPipeline", "MeterImage", "MeterOCR", "MeterReading", "MeterQueue"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "meterscanTests",
            dependencies: ["meterscan"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target exists only when asked for: it has no `main` of its own (libFuzzer
// brings one), so it links only with `--sanitize=fuzzer`. See Fuzz/README.md.
if Context.environment["METERSCAN_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "DecodeFuzzer",
            dependencies: ["MeterImage"],
            path: "Fuzz/DecodeFuzzer",
            swiftSettings: strictSwift
        ))
}
