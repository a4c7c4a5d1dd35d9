// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateTestSupport
import ResonateTesting
import Testing

/// Workers as real processes, killed with `kill -9` and restarted.
@Suite("Crash recovery with real processes", .timeLimit(.minutes(3)), .serialized)
struct ProcessTests {
    final class Scratch: Sendable {
        let directory: String
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func ledgerLines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func waitForLedger(_ path: String, toContain line: String) async throws {
        try await eventually("'\(line)' in the ledger, which has \(ledgerLines(path))") {
            ledgerLines(path).contains(line)
        }
    }

    static func worker(
        _ scratch: Scratch, server: ServerProcess, name: String, extra: [String] = []
    ) throws -> ChildProcess {
        try ChildProcess(
            executable: ChildProcess.executable("sdk-test-worker"),
            arguments: [
                "serve", "--url", server.url, "--group", "workers", "--ttl-milliseconds", "2000",
                "--ledger", scratch.path("ledger"),
            ] + extra,
            logPath: scratch.path("\(name).log")
        )
    }

    /// A server on SQLite and a first worker (given `firstWorker` arguments); starts an execution with `start`,
    /// kills the worker with `kill -9` once `killWhen` returns, starts a second worker, and returns the execution's
    /// result and the ledger the workers wrote.
    static func killingTheFirstWorker(
        firstWorker extra: [String] = [],
        start: @Sendable (Resonate) async throws -> Handle<String>,
        killWhen ready: @Sendable (Resonate, _ ledger: String) async throws -> Void
    ) async throws -> (result: String, ledger: [String]) {
        let scratch = try Scratch()
        let server = try await ServerProcess(
            arguments: ["serve", "--store", "sqlite:" + scratch.path("server.db")],
            logPath: scratch.path("server.log")
        )
        defer { server.terminate() }
        let first = try Self.worker(scratch, server: server, name: "first", extra: extra)
        try await first.waitForOutput(containing: "READY")
        let client = Resonate(url: server.url, group: "clients")
        let result = try await client.withRunning { client in
            let handle = try await start(client)
            try await ready(client, scratch.path("ledger"))
            first.kill9()
            let second = try Self.worker(scratch, server: server, name: "second")
            defer { second.terminate() }
            return try await handle.result()
        }
        return (result, Self.ledgerLines(scratch.path("ledger")))
    }

    @Test("a worker killed mid-workflow: another finishes it and no completed step runs again")
    func killedWorkerResumesElsewhere() async throws {
        let (result, lines) = try await Self.killingTheFirstWorker(firstWorker: ["--block-at", "3"]) { client in
            try await client.beginRpc(
                "crash-1", "steps", "crash-1", 4, returning: String.self, options: .target("workers"))
        } killWhen: { _, ledger in
            try await Self.waitForLedger(ledger, toContain: "crash-1 3 blocked")
        }
        #expect(result == "crash-1 done 10")
        #expect(lines.filter { $0 == "crash-1 1" }.count == 1)
        #expect(lines.filter { $0 == "crash-1 2" }.count == 1)
        #expect(lines.filter { $0 == "crash-1 3" }.count == 1)
        #expect(lines.filter { $0 == "crash-1 4" }.count == 1)
    }

    @Test("work a killed worker received but never started goes to another worker at once, not at its retry")
    func unstartedWorkOfAKilledWorkerMovesOn() async throws {
        let scratch = try Scratch()
        // Retries an hour away: whatever reaches the second worker within the test was handed over by the server
        // when the first worker's stream ended, or (the blocked execution) came back when its lease expired.
        let server = try await ServerProcess(
            arguments: ["serve", "--store", "sqlite:" + scratch.path("server.db"), "--retry-timeout", "3600s"],
            logPath: scratch.path("server.log")
        )
        defer { server.terminate() }
        // One execution at a time, and it blocks: the first worker holds the others' executes unacquired.
        let first = try Self.worker(
            scratch, server: server, name: "first", extra: ["--block-at", "1", "--concurrent-tasks", "1"])
        try await first.waitForOutput(containing: "READY")
        let client = Resonate(url: server.url, group: "clients")
        let results = try await client.withRunning { client in
            var handles: [Handle<String>] = []
            for index in 0..<5 {
                handles.append(
                    try await client.beginRpc(
                        "queued-\(index)", "steps", "queued-\(index)", 1, returning: String.self,
                        options: .target("workers")))
            }
            let ledger = scratch.path("ledger")
            try await eventually("an execution blocked in the first worker, ledger \(Self.ledgerLines(ledger))") {
                Self.ledgerLines(ledger).contains { $0.hasSuffix(" 1 blocked") }
            }
            first.kill9()
            let second = try Self.worker(scratch, server: server, name: "second")
            defer { second.terminate() }
            let started = ContinuousClock.now
            var results: [String] = []
            for handle in handles { results.append(try await handle.result()) }
            // The lease of the blocked execution (2 s) is the longest wait; nothing waits for a retry.
            #expect(ContinuousClock.now - started < .seconds(30))
            return results
        }
        #expect(results == (0..<5).map { "queued-\($0) done 1" })
    }

    @Test("a long execution whose worker is killed half-way is resumed by replay elsewhere, no step running twice")
    func longExecutionResumesElsewhere() async throws {
        // The first worker runs 150 iterations (continuing each from memory after its sleep), then blocks in the
        // 151st step, as a process that dies in the middle of one would.
        let (result, lines) = try await Self.killingTheFirstWorker(firstWorker: ["--block-at", "151"]) { client in
            try await client.beginRpc(
                "long-1", "loop", "long-1", 300, 5, returning: String.self, options: .target("workers"))
        } killWhen: { _, ledger in
            try await Self.waitForLedger(ledger, toContain: "long-1 151 blocked")
        }
        #expect(result == "long-1 looped \((1...300).reduce(0, +))")
        // Every step ran exactly once: the second worker read steps 1–150 from their checkpoints.
        #expect(lines == (1...150).map { "long-1 \($0)" } + ["long-1 151 blocked"] + (151...300).map { "long-1 \($0)" })
    }

    @Test("a durable sleep survives the restart of its worker and keeps its deadline")
    func sleepSurvivesRestart() async throws {
        let started = ContinuousClock.now
        let (result, lines) = try await Self.killingTheFirstWorker { client in
            try await client.beginRpc(
                "nap-1", "napper", "nap-1", 3000, returning: String.self, options: .target("workers"))
        } killWhen: { client, ledger in
            try await Self.waitForLedger(ledger, toContain: "nap-1 before")
            // Kill only once the step is checkpointed: the sleep (child 2) exists only after step 1 settled.
            // (A kill between a step's side effect and its checkpoint re-runs the step: at-least-once.)
            try await eventually("the sleep nap-1:2 to exist", within: .seconds(30)) {
                (try? await client.promises.get("nap-1:2")) != nil
            }
        }
        #expect(result == "nap-1 rested")
        #expect(ContinuousClock.now - started >= .seconds(3))
        #expect(lines.filter { $0 == "nap-1 before" }.count == 1)
        #expect(lines.filter { $0 == "nap-1 after" }.count == 1)
    }

    @Test("local mode: an execution interrupted by kill -9 continues when the program starts again")
    func localModeSurvivesRestart() async throws {
        let scratch = try Scratch()
        let arguments = [
            "local", "--path", scratch.path("local.db"), "--id", "local-1", "--count", "3",
            "--ledger", scratch.path("ledger"),
        ]
        let first = try ChildProcess(
            executable: ChildProcess.executable("sdk-test-worker"),
            arguments: arguments + ["--block-at", "2"],
            logPath: scratch.path("first.log")
        )
        try await Self.waitForLedger(scratch.path("ledger"), toContain: "local-1 2 blocked")
        first.kill9()
        let second = try ChildProcess(
            executable: ChildProcess.executable("sdk-test-worker"),
            arguments: arguments,
            logPath: scratch.path("second.log")
        )
        try await second.waitForOutput(containing: "RESULT local-1 done 6")
        #expect(try await second.waitForExit() == 0)
        let lines = Self.ledgerLines(scratch.path("ledger"))
        #expect(lines == ["local-1 1", "local-1 2 blocked", "local-1 2", "local-1 3"])
    }
}
