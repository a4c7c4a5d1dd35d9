// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `resonate` server running as a separate process, for tests that kill it.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let logPath: String
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The built `resonate` executable: `RESONATE_BIN`, else the debug build next to this package.
    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["RESONATE_BIN"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/resonate").path
    }

    /// Starts `resonate <arguments>` on a free port and waits until it listens.
    init(arguments: [String], extraArguments: [String] = ["--metrics-port", "0"], logPath: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw TestFailure("no resonate executable at \(Self.executable); run `swift build` first")
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments + ["--port", "0"] + extraArguments
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
        self.logPath = logPath
        // Wait for the line that announces the bound port.
        let deadline = ContinuousClock.now + .seconds(30)
        var found: Int?
        while found == nil {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = text.firstRange(of: "listening on http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else if !process.isRunning {
                throw TestFailure("resonate exited during start-up:\n\(text)")
            } else if ContinuousClock.now > deadline {
                process.terminate()
                throw TestFailure("resonate did not start within 30 s:\n\(text)")
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        port = found!
    }

    /// Kills the process with SIGKILL: no shutdown code runs.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks the process to stop (SIGTERM) and waits for it.
    func terminate() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        terminate()
    }
}
