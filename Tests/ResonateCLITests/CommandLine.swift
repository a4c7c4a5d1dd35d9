// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting

/// What a finished `resonate` process printed and how it exited.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }

    /// Standard output as one JSON document.
    func json() throws -> JSONValue { try JSONParser().parse(stdout) }

    /// Standard output's lines.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

/// The built `resonate` binary run as a real process, with standard output and standard error kept apart.
///
/// The environment is the test's minus any `RESONATE_*` variable (so the machine's settings cannot leak in), with
/// `TZ=UTC` for stable timestamps, plus `environment`.
final class CommandProcess: @unchecked Sendable {
    // `@unchecked Sendable`: `Process` is only started in `init`, then queried, which Foundation allows from any
    // thread.
    let process: Process
    let exit: ProcessExitWatch
    let stdoutPath: String
    let stderrPath: String

    static var binary: String { ChildProcess.executable("resonate") }

    init(
        _ arguments: [String], executable: String = CommandProcess.binary, environment: [String: String] = [:]
    )
        throws
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdoutPath = directory.appendingPathComponent("stdout").path
        stderrPath = directory.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RESONATE_") }
        merged["TZ"] = "UTC"
        merged.merge(environment) { _, new in new }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        exit = ProcessExitWatch(process)
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until standard output or standard error satisfies `condition`; fails if the process exits first.
    func waitFor(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ condition: (_ stdout: String, _ stderr: String) -> Bool
    ) async throws {
        try await eventually("\(what):\n\(finishedResult)", within: timeout) {
            if condition(stdout, stderr) { return true }
            // Exited: it will print nothing more, so fail now rather than at the bound.
            guard exit.isRunning || condition(stdout, stderr) else {
                throw ChildProcessError(description: "the command exited before \(what):\n\(finishedResult)")
            }
            return !exit.isRunning
        }
    }

    /// Waits for the process to exit (polling, so no thread blocks) and returns what it printed.
    func result(timeout: Duration = .seconds(60)) async throws -> CommandResult {
        guard try await exit.wait(timeout: timeout) != nil else {
            process.terminate()
            throw ChildProcessError(description: "the command did not exit in time:\n\(finishedResult)")
        }
        return finishedResult
    }

    private var finishedResult: CommandResult {
        CommandResult(status: exit.status ?? -1, stdout: stdout, stderr: stderr)
    }

    deinit {
        if exit.isRunning {
            process.terminate()
            exit.reapInBackground(killingAfter: .seconds(10))
        }
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: stdoutPath).deletingLastPathComponent().path)
    }
}

/// Runs `resonate` commands against one server.
struct ResonateCLI: Sendable {
    /// The server URL passed with `--server`, or `nil` to pass none.
    var server: String?
    var environment: [String: String] = [:]

    /// Runs `resonate <arguments> [--server URL]` to completion.
    func run(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> CommandResult {
        try await start(arguments, environment: extra).result()
    }

    /// Runs `resonate <arguments> [--server URL]` to completion.
    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> CommandResult {
        try await start(arguments, environment: extra).result()
    }

    /// Starts `resonate <arguments> [--server URL]` and returns at once.
    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CommandProcess {
        try CommandProcess(
            arguments + (server.map { ["--server", $0] } ?? []),
            environment: environment.merging(extra) { _, new in new }
        )
    }
}

/// A `resonate dev` process for one test, in a scratch directory removed afterwards.
enum DevServer {
    static func with<T>(
        arguments: [String] = [], _ body: (ServerProcess, ResonateCLI) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await ServerProcess(
            arguments: ["dev"] + arguments,
            logPath: directory.appendingPathComponent("server.log").path
        )
        defer { server.terminate() }
        return try await body(server, ResonateCLI(server: server.url))
    }
}
