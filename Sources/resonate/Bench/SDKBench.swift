// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateBenchSupport

/// Durable-function measurements through the Swift SDK, with one `Resonate` instance: against the bench's server
/// (remote mode) or with the engine in this process on a SQLite file (local mode).
///
/// The workload is the one the peers run too: a workflow of three durable steps, each returning its argument plus
/// one.
struct SDKBench: Sendable {
    let resonate: Resonate
    let run: String
    let increment: DurableFunction<Int, Int>
    let threeSteps: DurableFunction<Int, Int>
    let stepLoop: DurableFunction<Int, [Double]>
    let gated: DurableFunction<Int, Int>
    let gate: Gate

    /// Registers the bench's functions on `resonate` (which must not be running yet).
    init(resonate: Resonate) throws {
        self.resonate = resonate
        run = String(UUID().uuidString.prefix(8)).lowercased()
        let gate = Gate()
        self.gate = gate
        let increment = try resonate.register("bench.increment") { (ctx: Context, value: Int) async throws -> Int in
            value + 1
        }
        self.increment = increment
        threeSteps = try resonate.register("bench.three-steps") { (ctx: Context, value: Int) async throws -> Int in
            let one = try await ctx.run(increment, value)
            let two = try await ctx.run(increment, one)
            return try await ctx.run(increment, two)
        }
        // Times each step from inside the function: the cost of one checkpointed `ctx.run`.
        stepLoop = try resonate.register("bench.step-loop") { (ctx: Context, count: Int) async throws -> [Double] in
            let clock = ContinuousClock()
            var durations: [Double] = []
            durations.reserveCapacity(count)
            var value = 0
            for _ in 0..<count {
                let start = clock.now
                value = try await ctx.run(increment, value)
                durations.append((clock.now - start).inMilliseconds)
            }
            return durations
        }
        let wait = try resonate.register("bench.wait") { (ctx: Context, value: Int) async throws -> Int in
            await gate.wait()
            return value
        }
        gated = try resonate.register("bench.gated") { (ctx: Context, value: Int) async throws -> Int in
            try await ctx.run(wait, value)
        }
    }

    /// The latency of one durable step: `count` steps, timed inside workflows of ``stepsPerWorkflow`` steps run
    /// one after another.
    ///
    /// Short workflows, because the cost of a step grows with the number of steps before it in the same
    /// workflow: every `task.fence` answer carries the branch's preload (PROTOCOL §3.7), all the steps so far.
    func stepLatency(count: Int) async throws -> LatencySummary {
        var durations: [Double] = []
        for index in 0..<max(1, count / Self.stepsPerWorkflow) {
            let steps = Swift.min(Self.stepsPerWorkflow, count)
            durations += try await resonate.run("bench-\(run)-steps-\(index)", stepLoop, steps)
        }
        // The very first step pays for connection set-up; leave it out when there are enough.
        return LatencySummary(milliseconds: durations.count > 10 ? Array(durations.dropFirst()) : durations)
    }

    /// The length of the workflows ``stepLatency(count:)`` times.
    static let stepsPerWorkflow = 10

    /// Three-step workflows one at a time: the latency from `beginRun` to the result.
    func workflowLatency(count: Int) async throws -> LatencySummary {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        for index in 0..<count {
            let start = clock.now
            let handle = try await resonate.beginRun("bench-\(run)-seq-\(index)", threeSteps, index)
            let result = try await handle.result()
            guard result == index + 3 else { throw BenchError("workflow returned \(result), not \(index + 3)") }
            latencies.append((clock.now - start).inMilliseconds)
        }
        return LatencySummary(milliseconds: latencies)
    }

    struct Throughput: Codable, Sendable {
        var workflows: Int
        var inFlight: Int
        var seconds: Double
        var workflowsPerSecond: Double
        var latency: LatencySummary
    }

    /// `total` three-step workflows with `inFlight` of them started and not yet finished at any time.
    func workflowThroughput(total: Int, inFlight: Int) async throws -> Throughput {
        try await Self.workflowThroughput(of: [self], total: total, inFlight: inFlight)
    }

    /// `total` three-step workflows shared out over `benches` (one per server replica, say), each running its
    /// share with its share of `inFlight` in flight, all at once; the rate is over the wall time of all of them.
    static func workflowThroughput(of benches: [SDKBench], total: Int, inFlight: Int) async throws -> Throughput {
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (index, bench) in benches.enumerated() {
                let share = total / benches.count + (index < total % benches.count ? 1 : 0)
                let window = Swift.max(1, inFlight / benches.count)
                group.addTask { try await bench.workflowLatencies(total: share, inFlight: window) }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let seconds = (clock.now - start).inSeconds
        return Throughput(
            workflows: total,
            inFlight: inFlight,
            seconds: seconds,
            workflowsPerSecond: Double(total) / seconds,
            latency: LatencySummary(milliseconds: latencies)
        )
    }

    /// Runs `total` three-step workflows, `inFlight` at a time, numbered from `first`; returns each one's latency in
    /// milliseconds.
    func workflowLatencies(total: Int, inFlight: Int, first: Int = 0) async throws -> [Double] {
        let clock = ContinuousClock()
        let prefix = "bench-\(run)-tp"
        return try await withThrowingTaskGroup(of: Double.self) { group in
            var started = first
            let total = first + total
            var latencies: [Double] = []
            latencies.reserveCapacity(total)
            func startOne() {
                let index = started
                started += 1
                group.addTask {
                    let begun = clock.now
                    let result = try await resonate.run("\(prefix)-\(index)", threeSteps, index)
                    guard result == index + 3 else { throw BenchError("workflow returned \(result)") }
                    return (clock.now - begun).inMilliseconds
                }
            }
            while started < Swift.min(first + inFlight, total) { startOne() }
            while let latency = try await group.next() {
                latencies.append(latency)
                if started < total { startOne() }
            }
            return latencies
        }
    }

    struct Memory: Codable, Sendable {
        var workflows: Int
        var baselineKiB: Int
        var inFlightKiB: Int
        /// Growth of this process's resident memory per 1,000 workflows in flight.
        var kibPer1000: Double
    }

    /// Resident memory of this process with `count` workflows in flight at once, each inside a step that waits on
    /// a gate; then the gate opens and all of them finish.
    func memory(count: Int) async throws -> Memory {
        let prefix = "bench-\(run)-mem"
        // Warm up connections, buffers and caches first, so the baseline is a process that has already run workflows.
        for index in 0..<10 {
            _ = try await resonate.run("\(prefix)-warm-\(index)", threeSteps, index)
        }
        let baseline = ProcessMemory.residentKiB() ?? 0
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // Also on failure: the waiting steps do not react to cancellation, so the group could not end otherwise.
            defer { gate.open() }
            for index in 0..<count {
                group.addTask {
                    let result = try await resonate.run("\(prefix)-\(index)", gated, index)
                    guard result == index else { throw BenchError("gated workflow returned \(result)") }
                }
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while gate.arrived < count {
                guard ContinuousClock.now < deadline else {
                    throw BenchError("only \(gate.arrived) of \(count) workflows reached their step")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let inFlight = ProcessMemory.residentKiB() ?? 0
            gate.open()
            try await group.waitForAll()
            return Memory(
                workflows: count,
                baselineKiB: baseline,
                inFlightKiB: inFlight,
                kibPer1000: Double(inFlight - baseline) * 1000 / Double(count)
            )
        }
    }
}
