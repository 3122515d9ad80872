import Foundation

/// Runs the built `meterscan` binary the way a user does and captures what it prints.
struct CommandLineRunner {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("MeterImageTests/Fixtures").path

    /// The directory SwiftPM put the products in (the test bundle sits beside the tool).
    static var executable: URL {
        let candidates = [Bundle.main.bundleURL] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for directory in candidates {
            let tool = directory.appendingPathComponent("meterscan")
            if FileManager.default.isExecutableFile(atPath: tool.path) { return tool }
        }
        fatalError("meterscan binary not found next to the test bundle")
    }

    /// Runs meterscan (or `executable`) with `arguments`, feeding it `input`.
    static func run(
        _ arguments: [String], input: String? = nil, environment: [String: String] = [:], executable: String? = nil
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = executable.map(URL.init(fileURLWithPath:)) ?? Self.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            // A thread of its own: the cooperative pool may be fully blocked in the reads below.
            let writer = stdin.fileHandleForWriting
            Thread.detachNewThread {
                try? writer.write(contentsOf: Data(input.utf8))
                try? writer.close()
            }
        }
        // Drain both pipes concurrently, so a chatty child cannot block on a full pipe.
        let errReader = err.fileHandleForReading
        async let errData = Task.detached { errReader.readDataToEndOfFile() }.value
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: await errData, as: UTF8.self))
    }
}
