// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateTestSupport
import ResonateTesting
import Testing

/// `lb-worker` and `lb-client` as real processes against `resonate serve`.
@Suite("Load balancing with real processes", .timeLimit(.minutes(3)), .serialized)
struct LoadBalancingTests {
    final class Setup: Sendable {
        let directory: String
        let server: ServerProcess

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("lb-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            server = try await ServerProcess(
                arguments: ["serve", "--store", "sqlite:\(directory)/server.db"],
                logPath: "\(directory)/server.log"
            )
        }

        var ledger: String { "\(directory)/ledger" }

        func worker(_ pid: String, log: String? = nil) async throws -> ChildProcess {
            let worker = try ChildProcess(
                executable: ChildProcess.executable("lb-worker"),
                arguments: ["--resonate-url", server.url, "--pid", pid, "--ttl", "5", "--ledger", ledger],
                logPath: "\(directory)/\(log ?? pid).log"
            )
            try await worker.waitForOutput(containing: "worker is running...")
            return worker
        }

        /// Dispatches `count` computations of `cost` seconds; returns their ids.
        func dispatch(count: Int, cost: Int) async throws -> [String] {
            let client = try ChildProcess(
                executable: ChildProcess.executable("lb-client"),
                arguments: ["--resonate-url", server.url, "--count", String(count), "--cost", String(cost)],
                logPath: "\(directory)/client-\(UUID().uuidString).log"
            )
            #expect(try await client.waitForExit() == 0)
            let ids = client.output.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("dispatched ") else { return nil }
                return String(line.dropFirst("dispatched ".count).prefix { $0 != " " })
            }
            #expect(ids.count == count, "\(client.output)")
            return ids
        }

        /// `(id, pid)` of every completion so far.
        var completions: [(id: String, pid: String)] {
            ((try? String(contentsOfFile: ledger, encoding: .utf8)) ?? "").split(separator: "\n").map { line in
                let parts = line.split(separator: " ")
                return (String(parts[0]), String(parts[1]))
            }
        }

        func waitForCompletions(_ count: Int, timeout: Duration = .seconds(90)) async throws {
            try await eventually("\(count) completions, \(completions.count) so far", within: timeout) {
                completions.count >= count
            }
        }

        /// Waits until every id has printed its first "starting computation" line in some worker's log.
        func waitForStarts(_ ids: [String], in workers: [ChildProcess]) async throws {
            try await eventually("every computation to start") {
                let output = workers.map(\.output).joined()
                return ids.allSatisfy { output.contains("\($0) starting computation") }
            }
        }

        deinit {
            server.terminate()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func expectExactlyOnce(_ ids: [String], in completions: [(id: String, pid: String)]) {
        let counts = Dictionary(grouping: completions, by: \.id).mapValues(\.count)
        #expect(Set(counts.keys) == Set(ids))
        #expect(counts.values.allSatisfy { $0 == 1 }, "completed more than once: \(counts.filter { $0.value > 1 })")
    }

    @Test("30 computations spread over three workers, each completing exactly once")
    func spreadsOverWorkers() async throws {
        let setup = try await Setup()
        let workers = [try await setup.worker("w1"), try await setup.worker("w2"), try await setup.worker("w3")]
        defer { for worker in workers { worker.terminate() } }
        let ids = try await setup.dispatch(count: 30, cost: 1)
        try await setup.waitForCompletions(30)
        let completions = setup.completions
        Self.expectExactlyOnce(ids, in: completions)
        // A worker runs a computation when it starts it and again when it resumes it after the sleep; both
        // count as work it did. Which worker finishes a computation follows the load at that moment.
        let runs = Dictionary(
            uniqueKeysWithValues: zip(["w1", "w2", "w3"], workers).map { pid, worker in
                (pid, worker.output.components(separatedBy: " starting computation").count - 1)
            }
        )
        let finished = Dictionary(grouping: completions, by: \.pid).mapValues(\.count)
        print(
            "spread over workers: runs \(runs.sorted { $0.key < $1.key }), completions \(finished.sorted { $0.key < $1.key })"
        )
        for pid in ["w1", "w2", "w3"] {
            #expect(runs[pid, default: 0] >= 5, "runs: \(runs)")
        }
    }

    @Test("a worker killed with kill -9 mid-sleep: all 30 computations complete, each exactly once")
    func survivesKilledWorker() async throws {
        let setup = try await Setup()
        let victim = try await setup.worker("victim")
        let survivors = [try await setup.worker("s1"), try await setup.worker("s2")]
        defer { for survivor in survivors { survivor.terminate() } }
        let ids = try await setup.dispatch(count: 30, cost: 3)
        try await setup.waitForStarts(ids, in: [victim] + survivors)
        victim.kill9()
        // On a slow machine the victim may finish a computation before the kill; after it, nothing more.
        let finishedByVictim = setup.completions.filter { $0.pid == "victim" }.count
        try await setup.waitForCompletions(30)
        Self.expectExactlyOnce(ids, in: setup.completions)
        #expect(setup.completions.filter { $0.pid == "victim" }.count == finishedByVictim)
        #expect(finishedByVictim < 30)
    }

    @Test("work dispatched while no worker runs completes once a worker starts")
    func waitsForAWorker() async throws {
        let setup = try await Setup()
        let ids = try await setup.dispatch(count: 3, cost: 1)
        let worker = try await setup.worker("late")
        defer { worker.terminate() }
        try await setup.waitForCompletions(3)
        Self.expectExactlyOnce(ids, in: setup.completions)
    }

    @Test("a worker restarted with the same pid runs nothing twice")
    func restartWithSamePid() async throws {
        let setup = try await Setup()
        let first = try await setup.worker("same", log: "same-1")
        let ids = try await setup.dispatch(count: 10, cost: 2)
        try await setup.waitForStarts(ids, in: [first])
        first.kill9()
        let second = try await setup.worker("same", log: "same-2")
        defer { second.terminate() }
        try await setup.waitForCompletions(10)
        Self.expectExactlyOnce(ids, in: setup.completions)
    }
}
