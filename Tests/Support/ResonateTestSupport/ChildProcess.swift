// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Foundation
import ResonateTesting

#if canImport(Glibc)
import Glibc
#endif

/// A program of this package running as a separate process, with its output in a log file — for tests that
/// kill processes and restart them.
public final class ChildProcess: @unchecked Sendable {
    // `@unchecked Sendable`: `Process` is not marked Sendable; it is only started in `init` and then queried
    // and signalled, which Foundation supports from any thread.
    public let process: Process
    public let logPath: String
    private let exit: ProcessExitWatch

    /// The directory with this package's built executables: `RESONATE_BIN_DIR`, else the directory of
    /// `RESONATE_BIN`, else the debug build directory of the package.
    public static var binaryDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let directory = environment["RESONATE_BIN_DIR"] { return directory }
        if let binary = environment["RESONATE_BIN"] {
            return URL(fileURLWithPath: binary).deletingLastPathComponent().path
        }
        // This file is Tests/Support/ResonateTestSupport/ChildProcess.swift in the package.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return root.appendingPathComponent(".build/debug").path
    }

    /// The path of the executable `name` built by this package.
    public static func executable(_ name: String) -> String {
        URL(fileURLWithPath: binaryDirectory).appendingPathComponent(name).path
    }

    /// Starts `executable` with `arguments`, sending standard output and error to `logPath`.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String] = [:],
        logPath: String
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ChildProcessError(description: "no executable at \(executable); run `swift build` first")
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        self.logPath = logPath
        exit = ProcessExitWatch(process)
    }

    /// Everything the process has written so far.
    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Waits until the output contains `text` and returns the output; fails if the process exits first.
    @discardableResult
    public func waitForOutput(containing text: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await eventuallyValue("'\(text)' in the output:\n\(self.output)", within: timeout) {
            let output = self.output
            if output.contains(text) { return output }
            guard isRunning else {
                // One more read: the text may have been written just before the exit.
                let final = self.output
                if final.contains(text) { return final }
                throw ChildProcessError(description: "the process exited without printing '\(text)':\n\(final)")
            }
            return nil
        }
    }

    /// Waits for the process to exit (polling, so the caller's task is not blocked); returns its status.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        guard let status = try await exit.wait(timeout: timeout) else {
            throw ChildProcessError(description: "the process did not exit in time:\n\(output)")
        }
        return status
    }

    /// Whether the process is still running (see ``ProcessExitWatch``).
    public var isRunning: Bool { exit.isRunning }

    /// Kills the process with SIGKILL, if it is still running: no shutdown code runs. Waits up to 10 s for it to
    /// leave, which takes milliseconds (no code of its own runs), so that a test can reuse its files and port.
    public func kill9() {
        guard isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        exit.waitBlocking(timeout: .seconds(10))
    }

    /// Asks the process to stop (SIGTERM) and returns at once; it is killed with SIGKILL if it still runs after
    /// `timeout`. For cleanup in `defer` and `deinit`; a test that needs the process gone awaits ``stop(timeout:)``.
    public func terminate(timeout: Duration = .seconds(30)) {
        guard isRunning else { return }
        process.terminate()
        exit.reapInBackground(killingAfter: timeout)
    }

    /// Asks the process to stop (SIGTERM) and waits for it, polling; after `timeout` it is killed with SIGKILL.
    /// Returns its exit status (the signal number if a signal ended it).
    @discardableResult
    public func stop(timeout: Duration = .seconds(30)) async throws -> Int32 {
        if isRunning { process.terminate() }
        if let status = try await exit.wait(timeout: timeout) { return status }
        kill(process.processIdentifier, SIGKILL)
        return try await waitForExit(timeout: .seconds(10))
    }

    deinit {
        terminate()
    }
}

/// Why a child process did not do what a test expected.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// `resonate serve` as a child process on a free port.
public final class ServerProcess: Sendable {
    public let child: ChildProcess
    public let port: Int

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts `resonate <arguments> --port <port>` (0: a free port) and waits until it listens.
    public init(
        arguments: [String] = ["serve", "--store", "sqlite::memory:"],
        port: Int = 0,
        extraArguments: [String] = ["--metrics-port", "0"],
        logPath: String
    ) async throws {
        child = try ChildProcess(
            executable: ProcessInfo.processInfo.environment["RESONATE_BIN"] ?? ChildProcess.executable("resonate"),
            arguments: arguments + ["--port", String(port)] + extraArguments,
            logPath: logPath
        )
        let output = try await child.waitForOutput(containing: "listening on http://127.0.0.1:", timeout: .seconds(30))
        guard let range = output.firstRange(of: "listening on http://127.0.0.1:"),
            let port = Int(output[range.upperBound...].prefix { $0.isNumber })
        else { throw ChildProcessError(description: "no port in the server's output:\n\(output)") }
        self.port = port
    }

    public func kill9() { child.kill9() }
    public func terminate() { child.terminate() }
}
