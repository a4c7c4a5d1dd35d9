// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import ResonateBenchSupport

/// A `resonate serve` child process on a scratch database, so the server runs in its own process like in
/// production while the load comes from this one.
struct BenchServer {
    let process: Process
    let baseURL: String

    /// - Parameters:
    ///   - name: names the log file, `NAME.log` in `directory`.
    ///   - storeEnvironment: `RESONATE_STORE` and the other store settings of the server.
    static func start(
        directory: String, name: String = "server", storeEnvironment: [String: String]
    ) async throws -> BenchServer {
        let logPath = (directory as NSString).appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["serve", "--port", "0", "--metrics-port", "0", "--log-level", "notice"]
        process.environment = ProcessInfo.processInfo.environment.merging(storeEnvironment) { _, new in new }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = text.firstRange(of: "listening on http://127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            {
                return BenchServer(process: process, baseURL: "http://127.0.0.1:\(port)")
            }
            if !process.isRunning { throw ValidationError("the server exited during start-up:\n\(text)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw ValidationError("the server did not start within 30 s")
    }

    /// The server's resident memory in KiB (Linux only).
    var residentKiB: Int? { ProcessMemory.residentKiB(pid: process.processIdentifier) }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
