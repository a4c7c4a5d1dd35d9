// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import Resonate
import ResonateBenchSupport
import ResonateEngine
import ResonatePostgres
import ResonateProtocol

/// `resonate bench`: durable-write throughput against the disk's physical limit, the Swift SDK's step and
/// workflow latency, timer precision, and search latency with many stored promises.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure durable-write throughput, SDK latency and timer precision on this machine.",
        // One logical line per paragraph and item (`\` joins source lines): the help text is wrapped to the
        // terminal by ArgumentParser, and line breaks of our own would break its lines mid-sentence.
        discussion: """
            Starts `resonate serve` on a SQLite file in a scratch directory, then measures in one run:

            1. the physical limit: single-row SQLite commits/s (WAL, synchronous=FULL) on the same disk;
            2. promise.create + promise.settle pairs/s over HTTP at each concurrency, and the ratio of durable \
            requests/s to the physical limit (what group commit buys);
            3. the Swift SDK against that server (remote mode) and with the engine in-process on a SQLite file \
            (local mode): the latency of one durable ctx.run step, of a three-step workflow from beginRun to its \
            result, workflows/s with --in-flight workflows at once, and (remote) the SDK's resident memory per \
            1,000 workflows in flight;
            4. the lateness of durable timers (promises with resonate:timer) from deadline to unblock;
            5. scale: --scale promises stored through the engine in-process (group commit, no HTTP), then a \
            server's resident memory and its promise.search latency by tag on that database.

            With --store postgres://…, the server runs on that PostgreSQL database instead (local mode and scale \
            are SQLite-only and skipped), and the physical limit is single-row commits/s from one client with \
            synchronous_commit=on, on a scratch table in the same database. Then --replicas servers start on the \
            same database and the request and workflow throughput is measured again with the load spread over \
            them, next to the single server's. The database keeps the promises the bench creates: give it a \
            scratch database.

            Build with -c release for meaningful figures. scripts/bench.sh runs this on SQLite and PostgreSQL, \
            runs the peers and the Kafka comparison, and writes the report.
            """
    )

    @Option(help: "How long each throughput measurement runs.")
    var duration: String = "5s"

    @Option(help: "Comma-separated client concurrencies.")
    var concurrency: String = "1,16,64,256"

    @Option(help: "How many durable timers to measure (random lengths 0.1–5 s).")
    var timers: Int = 1000

    @Option(help: "How many durable steps to time, back to back in one workflow.")
    var steps: Int = 1000

    @Option(help: "How many three-step workflows to time one at a time.")
    var sequentialWorkflows: Int = 300

    @Option(help: "How many three-step workflows to run for the throughput figure.")
    var workflows: Int = 10000

    @Option(help: "How many workflows are in flight at once for the throughput and memory figures.")
    var inFlight: Int = 1000

    @Option(help: "How many promises to store for the scale figures (0: skip; SQLite only).")
    var scale: Int = 1_000_000

    @Option(help: "Scratch directory for the databases (default: a new temporary directory).")
    var directory: String?

    @Option(
        help: "A PostgreSQL database to measure instead of SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.")
    var store: String?

    @Option(help: "Most connections of the server's pool, with --store postgres://….")
    var storePoolSize: Int = 10

    @Option(help: "With --store postgres://…: how many replicas to measure side by side with one server (1: skip).")
    var replicas: Int = 3

    @Option(help: "Also write every figure as JSON to this file.")
    var json: String?

    @Flag(help: "A few-second smoke run with tiny counts: sanity only, figures are not meaningful.")
    var quick = false

    @Option(
        help: ArgumentHelp(
            "Measure only long executions, at these comma-separated lengths (e.g. 25,100,400,1600,3200).",
            discussion: "A loop of n steps each followed by a 10 ms durable sleep, and n steps back to back, "
                + "remote (a server on SQLite) and local; prints the cost per iteration and how it grows."
        )
    )
    var longExecutions: String?

    @Option(help: "With --long-executions: suspended executions the SDK keeps in memory (0: replay every resume).")
    var parkedExecutions: Int = 4_096

    @Option(
        help: ArgumentHelp(
            "Measure only a soak: this many short workflows through one SDK instance (e.g. 100000).",
            discussion: "Three-step workflows, --in-flight at a time, against a server on SQLite, in ten rounds; "
                + "prints the worker's and the server's resident memory after each round."
        )
    )
    var soak: Int?

    func run() async throws {
        guard let duration = DurationText.parse(duration), duration > .zero else {
            throw ValidationError("invalid duration '\(self.duration)'")
        }
        let concurrencies = concurrency.split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !concurrencies.isEmpty, concurrencies.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("invalid concurrency list '\(concurrency)'")
        }
        guard steps > 0, sequentialWorkflows > 0, workflows > 0, inFlight > 0, scale >= 0, timers > 0 else {
            throw ValidationError("counts must be positive")
        }
        let scratch =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("resonate-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        if let soak {
            guard soak > 0 else { throw ValidationError("--soak must be positive") }
            try await measureSoak(total: soak, scratch: scratch)
            return
        }
        if let longExecutions {
            let lengths = longExecutions.split(separator: ",").compactMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard !lengths.isEmpty, lengths.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("invalid list of lengths '\(longExecutions)'")
            }
            try await measureLongExecutions(lengths: lengths, scratch: scratch)
            return
        }

        let sizes = BenchSizes(
            measureFor: quick ? .milliseconds(500) : duration,
            levels: quick ? Array(concurrencies.prefix(2)) : concurrencies,
            timers: quick ? min(timers, 50) : timers,
            steps: quick ? min(steps, 20) : steps,
            sequentialWorkflows: quick ? min(sequentialWorkflows, 5) : sequentialWorkflows,
            workflows: quick ? min(workflows, 40) : workflows,
            inFlight: quick ? min(inFlight, 20) : inFlight,
            scale: quick ? min(scale, 2000) : scale
        )

        var postgres: PostgresStore.Configuration?
        if let store {
            do {
                postgres = try PostgresStore.Configuration(url: store)
            } catch {
                throw ValidationError(error.message)
            }
            guard storePoolSize >= 1 else { throw ValidationError("invalid store pool size \(storePoolSize)") }
            guard replicas >= 1 else { throw ValidationError("invalid replica count \(replicas)") }
        }

        print("# resonate bench")
        print("")
        let limit: BenchResults.PhysicalLimit
        if let postgres {
            print("store: \(postgres), pool of \(storePoolSize) connections")
            limit = BenchResults.PhysicalLimit(
                commitsPerSecond: try await PostgresCommitProbe.commitsPerSecond(
                    configuration: postgres, duration: sizes.measureFor),
                method: "PostgreSQL, synchronous_commit=on, one client, one WAL flush each"
            )
        } else {
            limit = BenchResults.PhysicalLimit(
                commitsPerSecond: try DiskCommitProbe.commitsPerSecond(directory: scratch, duration: sizes.measureFor),
                method: "SQLite WAL, synchronous=FULL, one fsync each"
            )
        }
        print("physical limit: \(BenchFormat.rate(limit.commitsPerSecond)) single-row commits/s (\(limit.method))")
        var results = BenchResults(store: postgres == nil ? "sqlite" : "postgres", quick: quick, physicalLimit: limit)

        // Through the environment rather than arguments, so a password in the URL does not show in `ps`.
        let storeEnvironment =
            store.map { ["RESONATE_STORE": $0, "RESONATE_STORE_POOL_SIZE": String(storePoolSize)] }
            ?? ["RESONATE_STORE": "sqlite:" + (scratch as NSString).appendingPathComponent("bench.db")]
        let server = try await BenchServer.start(directory: scratch, storeEnvironment: storeEnvironment)
        defer { server.stop() }
        try await measureServer(server, sizes: sizes, limit: limit.commitsPerSecond, into: &results)
        server.stop()
        if postgres != nil, replicas > 1 {
            try await measureReplicas(
                count: replicas, scratch: scratch, storeEnvironment: storeEnvironment, sizes: sizes, into: &results)
        }

        if postgres == nil {
            try await measureLocal(scratch: scratch, sizes: sizes, into: &results)
            if sizes.scale > 0 {
                try await measureScale(scratch: scratch, sizes: sizes, into: &results)
            }
        }

        try writeJSON(results)
    }

    /// Long executions, remote against a server on SQLite and local (see ``LongExecutionBench``).
    private func measureLongExecutions(lengths: [Int], scratch: String) async throws {
        print("# resonate bench: long executions")
        var rows: [LongExecutionBench.Row] = []
        let server = try await Self.sqliteServer(file: "long.db", scratch: scratch)
        defer { server.stop() }
        let remote = try Self.remoteInstance(of: server, parkedExecutions: parkedExecutions)
        let remoteBench = try LongExecutionBench(resonate: remote)
        print("")
        print("remote (server on SQLite, its CPU measured too):")
        print("")
        print(LongExecutionBench.header)
        rows += try await remote.withRunning { _ in
            try await remoteBench.measure(sizes: lengths, serverPID: server.process.processIdentifier)
        }
        server.stop()
        var localConfiguration = Resonate.Configuration()
        localConfiguration.maxParkedExecutions = parkedExecutions
        localConfiguration.mode = .local(path: (scratch as NSString).appendingPathComponent("long-local.db"))
        let local = try Resonate(configuration: localConfiguration, logger: Self.quietLogger)
        let localBench = try LongExecutionBench(resonate: local)
        print("")
        print("local (engine in this process):")
        print("")
        print(LongExecutionBench.header)
        let localRows = try await local.withRunning { _ in try await localBench.measure(sizes: lengths, serverPID: nil)
        }
        print("")
        for line in LongExecutionBench.summary(rows) { print("remote, \(line)") }
        for line in LongExecutionBench.summary(localRows) { print("local, \(line)") }
        try writeJSON(LongExecutionResults(remote: rows, local: localRows))
    }

    /// A `resonate serve` on a SQLite file of the scratch directory.
    private static func sqliteServer(file: String, scratch: String) async throws -> BenchServer {
        try await BenchServer.start(
            directory: scratch,
            storeEnvironment: ["RESONATE_STORE": "sqlite:" + (scratch as NSString).appendingPathComponent(file)]
        )
    }

    /// An SDK instance of group `bench` against `server`.
    private static func remoteInstance(of server: BenchServer, parkedExecutions: Int? = nil) throws -> Resonate {
        var configuration = Resonate.Configuration()
        configuration.mode = .remote(url: server.baseURL)
        configuration.group = "bench"
        if let parkedExecutions { configuration.maxParkedExecutions = parkedExecutions }
        return try Resonate(configuration: configuration, logger: Self.quietLogger)
    }

    /// `--long-executions` figures as `--json` writes them.
    struct LongExecutionResults: Codable {
        var remote: [LongExecutionBench.Row]
        var local: [LongExecutionBench.Row]
    }

    /// `--soak` figures as `--json` writes them.
    struct SoakResults: Codable {
        var inFlight: Int
        var rounds: [SoakBench.Round]
    }

    /// Writes `value` to the `--json` file, if one was given.
    private func writeJSON(_ value: some Encodable) throws {
        guard let json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: URL(fileURLWithPath: json))
    }

    private func measureSoak(total: Int, scratch: String) async throws {
        print("# resonate bench: soak of \(total) workflows, \(inFlight) in flight")
        let server = try await Self.sqliteServer(file: "soak.db", scratch: scratch)
        defer { server.stop() }
        let worker = try Self.remoteInstance(of: server)
        let bench = SoakBench(bench: try SDKBench(resonate: worker))
        print("")
        print(SoakBench.header)
        let rounds = try await worker.withRunning { _ in
            try await bench.measure(total: total, inFlight: inFlight, serverPID: server.process.processIdentifier)
        }
        print("")
        for line in SoakBench.summary(rounds) { print(line) }
        try writeJSON(SoakResults(inFlight: inFlight, rounds: rounds))
    }

    /// Throughput over HTTP, the SDK in remote mode, timers, and the server's memory.
    private func measureServer(
        _ server: BenchServer, sizes: BenchSizes, limit: Double, into results: inout BenchResults
    ) async throws {
        let client = BenchClient(baseURL: server.baseURL, maximumConcurrency: (sizes.levels.max() ?? 1) + 8)
        defer { client.shutdown() }

        print("")
        print(
            "| concurrency | create+settle pairs/s | durable requests/s | × physical limit | p50 ms | p99 ms "
                + "| server CPU µs/request | bench client CPU µs/request |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for level in sizes.levels {
            let result = try await client.measurePairs(
                concurrency: level, duration: sizes.measureFor, serverPIDs: [server.process.processIdentifier])
            results.pairs.append(result)
            print(
                "| \(level) | \(BenchFormat.rate(result.pairsPerSecond)) | \(BenchFormat.rate(result.pairsPerSecond * 2)) | "
                    + "\(String(format: "%.1f", result.pairsPerSecond * 2 / limit))× | "
                    + "\(BenchFormat.milliseconds(result.p50Milliseconds)) | \(BenchFormat.milliseconds(result.p99Milliseconds)) | "
                    + "\(BenchFormat.microseconds(result.serverCPUMicrosecondsPerRequest)) | "
                    + "\(BenchFormat.microseconds(result.clientCPUMicrosecondsPerRequest)) |"
            )
        }

        var configuration = Resonate.Configuration()
        configuration.mode = .remote(url: server.baseURL)
        configuration.group = "bench"
        configuration.maxConcurrentTasks = sizes.inFlight + 64
        let resonate = try Resonate(configuration: configuration, logger: Self.quietLogger)
        let bench = try SDKBench(resonate: resonate)
        results.remote = try await resonate.withRunning { _ in
            try await Self.measureSDK(bench, mode: "remote", sizes: sizes, withMemory: true)
        }

        print("")
        let lateness = try await client.measureTimers(count: sizes.timers)
        results.timers = lateness
        print(
            "durable timers (\(sizes.timers), 0.1–5 s): lateness p50 \(lateness.p50) ms, p99 \(lateness.p99) ms, "
                + "max \(lateness.max) ms, early \(lateness.early)"
        )
        results.serverResidentKiB = server.residentKiB
        if let kib = results.serverResidentKiB { print("server resident memory at the end: \(kib / 1024) MiB") }
    }

    /// The single server's request and workflow loads again, spread over `count` replicas on the same database.
    private func measureReplicas(
        count: Int, scratch: String, storeEnvironment: [String: String], sizes: BenchSizes,
        into results: inout BenchResults
    ) async throws {
        var servers: [BenchServer] = []
        defer { for server in servers { server.stop() } }
        for index in 1...count {
            servers.append(
                try await BenchServer.start(
                    directory: scratch, name: "replica-\(index)", storeEnvironment: storeEnvironment))
        }
        let client = BenchClient(
            baseURLs: servers.map(\.baseURL), maximumConcurrency: (sizes.levels.max() ?? 1) / count + 8)
        defer { client.shutdown() }

        print("")
        print("\(count) replicas on the same database, the load spread over them:")
        print("")
        print(
            "| concurrency | durable requests/s, 1 server | \(count) replicas | ratio | p50 ms | p99 ms "
                + "| server CPU µs/request, all replicas |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        var pairs: [BenchClient.PairResult] = []
        for level in sizes.levels {
            let result = try await client.measurePairs(
                concurrency: level, duration: sizes.measureFor, serverPIDs: servers.map(\.process.processIdentifier))
            pairs.append(result)
            let single = results.pairs.first { $0.concurrency == level }.map { $0.pairsPerSecond * 2 } ?? 0
            let ratio = single > 0 ? String(format: "%.2f×", result.pairsPerSecond * 2 / single) : "–"
            print(
                "| \(level) | \(BenchFormat.rate(single)) | \(BenchFormat.rate(result.pairsPerSecond * 2)) | \(ratio) | "
                    + "\(BenchFormat.milliseconds(result.p50Milliseconds)) | \(BenchFormat.milliseconds(result.p99Milliseconds)) | "
                    + "\(BenchFormat.microseconds(result.serverCPUMicrosecondsPerRequest)) |"
            )
        }

        let instances = try servers.map { server in
            var configuration = Resonate.Configuration()
            configuration.mode = .remote(url: server.baseURL)
            configuration.group = "bench"
            configuration.maxConcurrentTasks = sizes.inFlight + 64
            return try Resonate(configuration: configuration, logger: Self.quietLogger)
        }
        let benches = try instances.map { try SDKBench(resonate: $0) }
        let throughput = try await Self.running(instances) {
            try await SDKBench.workflowThroughput(of: benches, total: sizes.workflows, inFlight: sizes.inFlight)
        }
        let single = results.remote?.throughput.workflowsPerSecond ?? 0
        print("")
        print(
            "  \(BenchFormat.rate(throughput.workflowsPerSecond)) three-step workflows/s with \(throughput.inFlight) in "
                + "flight, one Swift SDK instance per replica"
                + (single > 0
                    ? " (\(String(format: "%.2f", throughput.workflowsPerSecond / single))× one server's "
                        + "\(BenchFormat.rate(single)))" : ""))
        results.replicas = BenchResults.Replicas(count: count, pairs: pairs, throughput: throughput)
    }

    /// Runs every instance while `body` runs.
    private static func running<T: Sendable>(
        _ instances: [Resonate], _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let first = instances.first else { return try await body() }
        return try await first.withRunning { _ in try await running(Array(instances.dropFirst()), body) }
    }

    /// The SDK with the engine in this process, on a SQLite file in the scratch directory.
    private func measureLocal(scratch: String, sizes: BenchSizes, into results: inout BenchResults) async throws {
        var configuration = Resonate.Configuration()
        configuration.group = "bench"
        configuration.maxConcurrentTasks = sizes.inFlight + 64
        configuration.mode = .local(path: (scratch as NSString).appendingPathComponent("local.db"))
        let resonate = try Resonate(configuration: configuration, logger: Self.quietLogger)
        let bench = try SDKBench(resonate: resonate)
        results.local = try await resonate.withRunning { _ in
            try await Self.measureSDK(bench, mode: "local", sizes: sizes, withMemory: false)
        }
    }

    private static func measureSDK(
        _ bench: SDKBench, mode: String, sizes: BenchSizes, withMemory: Bool
    ) async throws -> BenchResults.SDKFigures {
        print("")
        print("Swift SDK, \(mode) mode:")
        // Memory first, before the other measurements grow the heap.
        let memory = withMemory ? try await bench.memory(count: sizes.inFlight) : nil
        if let memory {
            print(
                "  memory: \(Int(memory.kibPer1000)) KiB of resident memory per 1,000 workflows in flight "
                    + "(\(memory.workflows) in flight)")
        }
        let step = try await bench.stepLatency(count: sizes.steps)
        print("  one durable ctx.run step: \(step.text)")
        let workflow = try await bench.workflowLatency(count: sizes.sequentialWorkflows)
        print("  three-step workflow, beginRun to result: \(workflow.text)")
        let throughput = try await bench.workflowThroughput(total: sizes.workflows, inFlight: sizes.inFlight)
        print(
            "  \(BenchFormat.rate(throughput.workflowsPerSecond)) three-step workflows/s with \(throughput.inFlight) in flight "
                + "(\(throughput.workflows) workflows; each \(throughput.latency.text))")
        return BenchResults.SDKFigures(
            mode: mode, step: step, workflow: workflow, throughput: throughput, memory: memory)
    }

    /// Stores many promises, then opens a server on them and searches by tag.
    private func measureScale(scratch: String, sizes: BenchSizes, into results: inout BenchResults) async throws {
        let path = (scratch as NSString).appendingPathComponent("scale.db")
        let shards = max(1, min(1000, sizes.scale / 100))
        print("")
        let load = try await ScaleBench.load(path: path, count: sizes.scale, shards: shards)
        print(
            "scale: stored \(load.promises) promises in \(String(format: "%.1f", load.seconds)) s "
                + "(\(BenchFormat.rate(load.promisesPerSecond))/s, engine in-process, group commit)")
        let server = try await BenchServer.start(
            directory: scratch, storeEnvironment: ["RESONATE_STORE": "sqlite:" + path])
        defer { server.stop() }
        let client = BenchClient(baseURL: server.baseURL, maximumConcurrency: 4)
        defer { client.shutdown() }
        let limit = min(100, sizes.scale / shards)
        let search = try await client.measureSearch(shards: shards, count: quick ? 20 : 500, limit: limit)
        let resident = server.residentKiB
        print(
            "  promise.search by tag (\(sizes.scale / shards) matches, first \(limit)): \(search.text); "
                + "server resident memory \((resident ?? 0) / 1024) MiB")
        results.scale = BenchResults.Scale(
            load: load,
            loadMethod: "Engine.execute(promise.create) in the bench process on the server's SQLite store, "
                + "4,096 in flight, group commit (up to 512 per transaction and fsync)",
            serverResidentKiB: resident,
            searchLimit: limit,
            search: search
        )
    }

    /// The SDK logs only problems during the bench.
    static var quietLogger: Logger {
        var logger = Logger(label: "resonate.bench")
        logger.logLevel = .warning
        return logger
    }
}

/// The counts of one run (tiny with --quick).
struct BenchSizes: Sendable {
    var measureFor: Duration
    var levels: [Int]
    var timers: Int
    var steps: Int
    var sequentialWorkflows: Int
    var workflows: Int
    var inFlight: Int
    var scale: Int
}
