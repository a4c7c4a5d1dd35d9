// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Every figure of one `resonate bench` run, as written by `--json` (read by `Benchmarks/report.py`).
struct BenchResults: Codable, Sendable {
    /// `sqlite` or `postgres`.
    var store: String
    var quick: Bool
    var physicalLimit: PhysicalLimit
    var pairs: [BenchClient.PairResult] = []
    var remote: SDKFigures?
    var local: SDKFigures?
    var timers: BenchClient.TimerResult?
    /// The server's resident memory at the end of the run, in KiB.
    var serverResidentKiB: Int?
    var scale: Scale?
    /// Several replicas of the server on the one PostgreSQL database, measured after the single server.
    var replicas: Replicas?

    struct PhysicalLimit: Codable, Sendable {
        var commitsPerSecond: Double
        var method: String
    }

    /// The Swift SDK running the shared workloads in one mode.
    struct SDKFigures: Codable, Sendable {
        /// `remote` (against the bench's server over loopback) or `local` (engine in-process, SQLite file).
        var mode: String
        /// One durable `ctx.run` step inside a running workflow.
        var step: LatencySummary
        /// A three-step workflow from `beginRun` to its result, one at a time.
        var workflow: LatencySummary
        var throughput: SDKBench.Throughput
        var memory: SDKBench.Memory?
    }

    /// The same loads as ``pairs`` and ``remote``'s throughput, spread over `count` replicas.
    struct Replicas: Codable, Sendable {
        var count: Int
        var pairs: [BenchClient.PairResult]
        /// Workflows/s with one Swift SDK instance per replica, each running its share of the workflows.
        var throughput: SDKBench.Throughput
    }

    struct Scale: Codable, Sendable {
        var load: ScaleBench.Load
        /// How the promises were stored.
        var loadMethod: String
        /// The resident memory of a server that opened the database and answered the searches, in KiB.
        var serverResidentKiB: Int?
        var searchLimit: Int
        var search: LatencySummary
    }
}
