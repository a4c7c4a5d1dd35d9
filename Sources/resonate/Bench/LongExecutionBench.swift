// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate

/// How the cost of one iteration grows with the length of an execution: a loop of `n` steps each followed by a
/// 10 ms durable sleep (the Kafka worker's deletion loop), and `n` steps back to back, for several `n`.
///
/// A long execution must cost the same per iteration at any length. Each figure is measured on one execution
/// of that length; the summary divides the per-iteration figure at the largest `n` by the one at the smallest
/// and fits the exponent `k` of `total ∝ nᵏ` (1 is linear).
struct LongExecutionBench: Sendable {
    let resonate: Resonate
    let sleepLoop: DurableFunction<Int, Int>
    let stepLoop: DurableFunction<Int, Int>
    let run = String(UUID().uuidString.prefix(8)).lowercased()

    static let sleep = Duration.milliseconds(10)

    struct Row: Codable, Sendable {
        var workload: String
        var iterations: Int
        var seconds: Double
        /// Wall time per iteration, without the sleeps, in ms.
        var overheadMilliseconds: Double
        var clientCPUMilliseconds: Double
        var serverCPUMilliseconds: Double?
        var resumedInMemory: Int
        var replayed: Int
    }

    /// Registers the workloads on `resonate` (which must not be running yet).
    init(resonate: Resonate) throws {
        self.resonate = resonate
        let increment = try resonate.register("long.increment") { (_: Context, value: Int) async throws -> Int in
            value + 1
        }
        sleepLoop = try resonate.register("long.step-sleep") { (ctx: Context, count: Int) async throws -> Int in
            var value = 0
            for _ in 0..<count {
                value = try await ctx.run(increment, value)
                try await ctx.sleep(for: Self.sleep)
            }
            return value
        }
        stepLoop = try resonate.register("long.steps") { (ctx: Context, count: Int) async throws -> Int in
            var value = 0
            for _ in 0..<count { value = try await ctx.run(increment, value) }
            return value
        }
    }

    /// Runs both workloads at each size, printing a row as each finishes.
    func measure(sizes: [Int], serverPID: Int32?) async throws -> [Row] {
        var rows: [Row] = []
        for (workload, function, sleeps) in [
            ("step + 10 ms sleep", sleepLoop, true), ("sequential steps", stepLoop, false),
        ] {
            for n in sizes {
                let before = resonate.resumeStatistics
                let clientBefore = ProcessCPU.milliseconds(pid: nil)
                let serverBefore = serverPID.flatMap { ProcessCPU.milliseconds(pid: $0) }
                let start = ContinuousClock.now
                let value = try await resonate.run("long-\(run)-\(sleeps ? "sleep" : "steps")-\(n)", function, n)
                let seconds = (ContinuousClock.now - start).inSeconds
                guard value == n else { throw ResonateError(.server, "\(workload) of \(n) returned \(value)") }
                let after = resonate.resumeStatistics
                let sleeping = sleeps ? Double(n) * Self.sleep.inSeconds : 0
                let row = Row(
                    workload: workload,
                    iterations: n,
                    seconds: seconds,
                    overheadMilliseconds: (seconds - sleeping) * 1000 / Double(n),
                    clientCPUMilliseconds: ((ProcessCPU.milliseconds(pid: nil) ?? 0) - (clientBefore ?? 0)) / Double(n),
                    serverCPUMilliseconds: serverBefore.flatMap { before in
                        ProcessCPU.milliseconds(pid: serverPID!).map { ($0 - before) / Double(n) }
                    },
                    resumedInMemory: after.inMemory - before.inMemory,
                    replayed: after.replayed - before.replayed
                )
                rows.append(row)
                print(Self.format(row))
            }
        }
        return rows
    }

    static let header = """
        | workload | n | total s | overhead ms/iteration | client CPU ms/iteration | server CPU ms/iteration | \
        resumed in memory | replayed |
        |---|---:|---:|---:|---:|---:|---:|---:|
        """

    static func format(_ row: Row) -> String {
        "| \(row.workload) | \(row.iterations) | \(String(format: "%.2f", row.seconds)) | "
            + "\(String(format: "%.2f", row.overheadMilliseconds)) | "
            + "\(String(format: "%.2f", row.clientCPUMilliseconds)) | "
            + "\(row.serverCPUMilliseconds.map { String(format: "%.2f", $0) } ?? "–") | "
            + "\(row.resumedInMemory) | \(row.replayed) |"
    }

    /// Per workload: overhead per iteration at the largest n ÷ at the smallest, and the fitted growth exponent.
    static func summary(_ rows: [Row]) -> [String] {
        Dictionary(grouping: rows, by: \.workload).sorted { $0.key < $1.key }.compactMap { workload, rows in
            guard let small = rows.min(by: { $0.iterations < $1.iterations }),
                let large = rows.max(by: { $0.iterations < $1.iterations }), large.iterations > small.iterations
            else { return nil }
            let points = rows.map { (log(Double($0.iterations)), log($0.overheadMilliseconds * Double($0.iterations))) }
            let meanX = points.map(\.0).reduce(0, +) / Double(points.count)
            let meanY = points.map(\.1).reduce(0, +) / Double(points.count)
            let slope =
                points.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +)
                / points.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
            let hits = rows.map(\.resumedInMemory).reduce(0, +)
            let resumes = hits + rows.map(\.replayed).reduce(0, +)
            return "\(workload): overhead per iteration at n = \(large.iterations) is "
                + "\(String(format: "%.2f", large.overheadMilliseconds / small.overheadMilliseconds))× that at "
                + "n = \(small.iterations); overhead grows as n^\(String(format: "%.2f", slope))"
                + (resumes > 0 ? "; \(hits) of \(resumes) resumes continued in memory" : "")
        }
    }
}
