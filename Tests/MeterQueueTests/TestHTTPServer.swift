import Foundation

/// A real HTTP server on loopback (Python's http.server) answering POST /ok with 200,
/// /busy with 503 and anything else with 400, logging "POST path idempotency-key" lines.
final class TestHTTPServer {
    let port: Int
    private let process = Process()
    private let logPath: String

    init() throws {
        logPath = NSTemporaryDirectory() + "meterscan-http-\(UUID().uuidString).log"
        let script = """
            import http.server, sys
            log = open(sys.argv[1], "a", buffering=1)
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    log.write("POST %s %s\\n" % (self.path, self.headers.get("Idempotency-Key")))
                    code = {"/ok": 200, "/busy": 503}.get(self.path, 400)
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, logPath]
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    /// What the server received so far.
    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning {
            // SIGKILL: a test runner may hand its children a blocked SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
