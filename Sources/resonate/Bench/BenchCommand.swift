// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import ResonateEngine
import ResonatePostgres
import ResonateProtocol

/// `resonate bench`: durable-write throughput against the disk's physical limit, and timer precision.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure durable-write throughput and timer precision on this machine.",
        discussion: """
            Starts `resonate serve` on a SQLite file in a scratch directory, then measures in one run:
              1. the physical limit: single-row SQLite commits/s (WAL, synchronous=FULL) on the same disk;
              2. promise.create + promise.settle pairs/s over HTTP at each concurrency, and the ratio of durable
                 requests/s to the physical limit (what group commit buys);
              3. the lateness of durable timers (promises with resonate:timer) from deadline to unblock.
            With --store postgres://…, the server runs on that PostgreSQL database instead, and the physical limit
            is single-row commits/s from one client with synchronous_commit=on, on a scratch table in the same
            database. The database keeps the promises the bench creates: give it a scratch database.
            Build with -c release for meaningful figures.
            """
    )

    @Option(help: "How long each throughput measurement runs.")
    var duration: String = "5s"

    @Option(help: "Comma-separated client concurrencies.")
    var concurrency: String = "1,16,64,256"

    @Option(help: "How many durable timers to measure (random lengths 0.1–5 s).")
    var timers: Int = 1000

    @Option(help: "Scratch directory for the databases (default: a new temporary directory).")
    var directory: String?

    @Option(
        help: "A PostgreSQL database to measure instead of SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.")
    var store: String?

    @Option(help: "Most connections of the server's pool, with --store postgres://….")
    var storePoolSize: Int = 10

    @Flag(help: "A few-second smoke run: sanity only, figures are not meaningful.")
    var quick = false

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
        let scratch =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("resonate-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: scratch) } }

        let measureFor: Duration = quick ? .milliseconds(500) : duration
        let levels = quick ? Array(concurrencies.prefix(2)) : concurrencies
        let timerCount = quick ? min(timers, 50) : timers

        var postgres: PostgresStore.Configuration?
        if let store {
            do {
                postgres = try PostgresStore.Configuration(url: store)
            } catch {
                throw ValidationError(error.message)
            }
            guard storePoolSize >= 1 else { throw ValidationError("invalid store pool size \(storePoolSize)") }
        }

        print("# resonate bench")
        print("")
        let limit: Double
        if let postgres {
            print("store: \(postgres), pool of \(storePoolSize) connections")
            limit = try await PostgresCommitProbe.commitsPerSecond(configuration: postgres, duration: measureFor)
            print(
                "physical limit: \(Self.format(limit)) single-row commits/s "
                    + "(PostgreSQL, synchronous_commit=on, one client, one WAL flush each)")
        } else {
            limit = try DiskCommitProbe.commitsPerSecond(directory: scratch, duration: measureFor)
            print(
                "physical limit: \(Self.format(limit)) single-row commits/s (SQLite WAL, synchronous=FULL, one fsync each)"
            )
        }

        // Through the environment rather than arguments, so a password in the URL does not show in `ps`.
        let storeEnvironment =
            store.map { ["RESONATE_STORE": $0, "RESONATE_STORE_POOL_SIZE": String(storePoolSize)] }
            ?? ["RESONATE_STORE": "sqlite:" + (scratch as NSString).appendingPathComponent("bench.db")]
        let server = try await BenchServer.start(directory: scratch, storeEnvironment: storeEnvironment)
        defer { server.stop() }
        let client = BenchClient(baseURL: server.baseURL, maximumConcurrency: (levels.max() ?? 1) + 8)
        defer { client.shutdown() }

        print("")
        print("| concurrency | create+settle pairs/s | durable requests/s | × physical limit | p50 ms | p99 ms |")
        print("|---:|---:|---:|---:|---:|---:|")
        for level in levels {
            let result = try await client.measurePairs(concurrency: level, duration: measureFor)
            print(
                "| \(level) | \(Self.format(result.pairsPerSecond)) | \(Self.format(result.pairsPerSecond * 2)) | "
                    + "\(String(format: "%.1f", result.pairsPerSecond * 2 / limit))× | "
                    + "\(String(format: "%.2f", result.p50Milliseconds)) | \(String(format: "%.2f", result.p99Milliseconds)) |"
            )
        }

        print("")
        let lateness = try await client.measureTimers(count: timerCount)
        print(
            "durable timers (\(timerCount), 0.1–5 s): lateness p50 \(lateness.p50) ms, p99 \(lateness.p99) ms, "
                + "max \(lateness.max) ms, early \(lateness.early)"
        )
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }
}
