// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import Resonate
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

/// Three `resonate serve` replicas on one PostgreSQL database, behind a round-robin TCP balancer, with Swift SDK
/// workers whose connections spread over the replicas: the cluster behaves as one server, and survives losing a
/// replica or the database restarting.
@Suite("Scale-out: replicas on one PostgreSQL database", .timeLimit(.minutes(4)), .serialized)
struct ScaleOutTests {
    static let workflowCount = 200

    @Test("200 workflows over three replicas: messages reach workers on any replica, each step runs once")
    func replicasActAsOne() async throws {
        try await Cluster.with { cluster in
            let run = try await cluster.runWorkflows(count: Self.workflowCount) { _ in }
            cluster.expectEveryWorkflowDone(run.results, count: Self.workflowCount)
            // Workers and clients are spread over the replicas, so most messages cross from one to another.
            let relayed = try await cluster.relayedMessageCount()
            #expect(relayed > 0, "no message was relayed between replicas")
            let workers = Set(cluster.steps.runs.map(\.worker))
            #expect(workers == ["w1", "w2", "w3"], "steps ran on \(workers)")
        }
    }

    @Test(
        "kill -9 of a replica mid-run: its workers reconnect to another, every workflow completes, each step once, and none waits for a retry timeout"
    )
    func survivesReplicaKill() async throws {
        try await Cluster.with(retryTimeout: Self.retryTimeoutNeverWaited) { cluster in
            let run = try await cluster.runWorkflows(count: Self.workflowCount) { cluster in
                try await cluster.steps.waitForRuns(Self.workflowCount / 2)
                cluster.replicas[1].kill9()
            }
            cluster.expectEveryWorkflowDone(run.results, count: Self.workflowCount)
            Self.expectNoRetryWait(run)
        }
    }

    @Test(
        "a PostgreSQL restart mid-run: the replicas reconnect, every workflow completes, each step once, and none waits for a retry timeout"
    )
    func survivesDatabaseRestart() async throws {
        try await Cluster.with(retryTimeout: Self.retryTimeoutNeverWaited) { cluster in
            let run = try await cluster.runWorkflows(count: Self.workflowCount) { cluster in
                try await cluster.steps.waitForRuns(Self.workflowCount / 2)
                try await cluster.postgres.restart(mode: .immediate)
            }
            cluster.expectEveryWorkflowDone(run.results, count: Self.workflowCount)
            Self.expectNoRetryWait(run)
        }
    }

    /// A task retry timeout longer than any test here should take, so that a message lost for good (relayed to a
    /// dead replica, or over a bus that was down) shows as a workflow finishing that much after the disruption.
    static let retryTimeoutNeverWaited = "90s"

    /// The workers' lease.
    static let workerLease = Duration.seconds(30)

    /// Every workflow finished within the worker lease plus 5 s of the disruption (the bound), far below the
    /// retry timeout: a lost message is sent again by its relay's missing acknowledgement, not by the task's retry.
    /// The lease is a wait a disruption can cost: a request a replica committed but never answered (an acquire,
    /// say) leaves the task with a worker that does not know it holds it until the lease lapses.
    static func expectNoRetryWait(_ run: Cluster.Run) {
        let recovery = run.lastCompletion - run.disrupted
        #expect(recovery < workerLease + .seconds(5), "the last workflow finished \(recovery) after the disruption")
    }
}

/// Which worker ran which step, in order.
final class StepLedger: Sendable {
    struct Run: Sendable {
        var key: String
        var worker: String
    }

    private let recorded = Mutex<[Run]>([])

    func record(_ key: String, worker: String) {
        recorded.withLock { $0.append(Run(key: key, worker: worker)) }
    }

    var runs: [Run] { recorded.withLock { $0 } }

    /// Waits until at least `count` steps have run.
    func waitForRuns(_ count: Int, timeout: Duration = .seconds(60)) async throws {
        try await eventually("\(count) steps to run, \(runs.count) so far", within: timeout) { runs.count >= count }
    }
}

/// A PostgreSQL server, three replicas on one of its databases, a balancer in front of them, three workers and a
/// client, all through the balancer.
final class Cluster: Sendable {
    let postgres: PostgresProcess
    let replicas: [ServerProcess]
    let metricsPorts: [Int]
    let balancer: TCPBalancer
    let steps = StepLedger()
    let directory: String

    private init(postgres: PostgresProcess, directory: String, retryTimeout: String) async throws {
        self.postgres = postgres
        self.directory = directory
        let database = try await postgres.createDatabase()
        var replicas: [ServerProcess] = []
        var metricsPorts: [Int] = []
        for index in 1...3 {
            let metricsPort = try LocalPorts.free()
            replicas.append(
                try await ServerProcess(
                    arguments: ["serve", "--store", database, "--retry-timeout", retryTimeout],
                    extraArguments: ["--metrics-port", String(metricsPort)],
                    logPath: "\(directory)/replica-\(index).log"
                )
            )
            metricsPorts.append(metricsPort)
        }
        self.replicas = replicas
        self.metricsPorts = metricsPorts
        balancer = try await TCPBalancer(backends: replicas.map(\.port))
    }

    static func with(retryTimeout: String = "30s", _ body: (Cluster) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scale-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await PostgresProcess.with(settings: ["max_connections": "200"]) { postgres in
            let cluster = try await Cluster(postgres: postgres, directory: directory, retryTimeout: retryTimeout)
            // On failure, nothing of the cluster outlives the test.
            defer { for replica in cluster.replicas { replica.kill9() } }
            try await body(cluster)
            await cluster.balancer.close()
            try await cluster.stopReplicas()
        }
    }

    private func sdk(group: String, pid: String) throws -> Resonate {
        var configuration = Resonate.Configuration()
        configuration.mode = .remote(url: balancer.url)
        configuration.group = group
        configuration.pid = pid
        // Leases long enough that a machine busy with three servers and a database does not let them lapse.
        configuration.ttl = ScaleOutTests.workerLease
        // Re-registers interest in pending results often, so a client whose stream broke does not wait long.
        configuration.listenerRefreshInterval = .seconds(2)
        configuration.unavailableRetryLimit = .seconds(60)
        return try Resonate(configuration: configuration)
    }

    /// What ``runWorkflows(count:disrupt:)`` saw.
    struct Run: Sendable {
        /// Each workflow's result.
        var results: [Int: Int]
        /// When the disruption was over, and when the last workflow finished.
        var disrupted: ContinuousClock.Instant
        var lastCompletion: ContinuousClock.Instant
    }

    /// Starts `count` workflows (two steps around a durable sleep) from a client, runs `disrupt` once they are
    /// under way, and returns each workflow's result.
    func runWorkflows(
        count: Int,
        disrupt: @escaping @Sendable (Cluster) async throws -> Void
    ) async throws -> Run {
        let workers = try ["w1", "w2", "w3"].map { try sdk(group: "workers", pid: $0) }
        for worker in workers {
            let name = worker.pid
            let steps = self.steps
            let step = try worker.register("scale.step") { (_: Context, key: String) async throws -> String in
                steps.record(key, worker: name)
                return key
            }
            try worker.register("scale.workflow") { (ctx: Context, n: Int) async throws -> Int in
                _ = try await ctx.run(step, "\(n)-a")
                try await ctx.sleep(for: .milliseconds(200))
                _ = try await ctx.run(step, "\(n)-b")
                return n * 2
            }
        }
        let client = try sdk(group: "clients", pid: "client")
        return try await Self.running(workers + [client]) {
            try await withThrowingTaskGroup(of: (Int, Int)?.self) { group in
                let started = ContinuousClock.now
                for n in 0..<count {
                    group.addTask {
                        let handle = try await client.beginRpc(
                            "scale-\(n)", "scale.workflow", n, returning: Int.self, options: .target("workers"))
                        return (n, try await handle.result())
                    }
                }
                let disrupted = Mutex(started)
                group.addTask {
                    try await disrupt(self)
                    disrupted.withLock { $0 = .now }
                    return nil
                }
                var run = Run(results: [:], disrupted: started, lastCompletion: started)
                for try await result in group {
                    if let (n, value) = result {
                        run.results[n] = value
                        run.lastCompletion = .now
                    }
                }
                run.disrupted = disrupted.withLock { $0 }
                return run
            }
        }
    }

    /// Runs every instance while `body` runs.
    private static func running<T: Sendable>(
        _ instances: [Resonate], _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let first = instances.first else { return try await body() }
        return try await first.withRunning { _ in try await running(Array(instances.dropFirst()), body) }
    }

    func expectEveryWorkflowDone(_ results: [Int: Int], count: Int) {
        #expect(results.count == count)
        for n in 0..<count { #expect(results[n] == n * 2, "workflow \(n)") }
        let runs = Dictionary(grouping: steps.runs, by: \.key).mapValues(\.count)
        #expect(runs.count == 2 * count, "\(runs.count) distinct steps ran")
        let repeated = runs.filter { $0.value != 1 }
        #expect(repeated.isEmpty, "steps that ran more than once: \(repeated.sorted { $0.key < $1.key }.prefix(10))")
    }

    /// Stops the replicas still running with SIGTERM, all at once, and expects each to shut down gracefully.
    func stopReplicas() async throws {
        let running = replicas.filter { $0.child.isRunning }
        for replica in running { replica.child.process.terminate() }
        for replica in running {
            let status = try await replica.child.waitForExit(timeout: .seconds(30))
            #expect(status == 0, "a replica exited with \(status) on SIGTERM:\n\(replica.child.output.suffix(2000))")
        }
    }

    /// Messages the replicas relayed to one another, from their metrics (replicas still running).
    func relayedMessageCount() async throws -> Int {
        var total = 0
        for port in metricsPorts {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 4 << 20))
            for line in text.split(separator: "\n")
            where line.hasPrefix("resonate_relayed_messages_total{direction=\"out\"}") {
                total += Int(Double(line.split(separator: " ").last ?? "0") ?? 0)
            }
        }
        return total
    }
}
