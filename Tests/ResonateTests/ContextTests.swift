// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateTesting
import Synchronization
import Testing

struct PaymentDeclined: Error, Codable, Sendable, Hashable {
    var reason: String
    var amount: Int
}

/// A switch a test flips between passes of a workflow.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isOn: Bool { value.withLock { $0 } }
    func set(_ on: Bool) { value.withLock { $0 = on } }
}

@Suite("Durable context", .timeLimit(.minutes(1)))
struct ContextTests {
    @Test("a caught suspension still suspends: the function's result is the one after the call finished")
    func suspensionCannotBeSwallowed() async throws {
        let resonate = try Resonate.local()
        let slow = try resonate.register("slow") { (_: Context, value: Int) async throws -> Int in value + 1 }
        let swallowing = try resonate.register("swallowing") { (ctx: Context, value: Int) async throws -> String in
            do {
                let result = try await ctx.rpc(slow, value)
                return "finished with \(result)"
            } catch {
                return "swallowed \(error)"
            }
        }
        let result = try await resonate.withRunning { try await $0.run("swallow", swallowing, 1) }
        #expect(result == "finished with 2")
    }

    @Test("a function that returns while a call it started is pending waits for that call")
    func structuredConcurrency() async throws {
        let resonate = try Resonate.local()
        let counter = Counter()
        let child = try resonate.register("child") { (_: Context, tag: String) async throws in
            counter.increment(tag)
        }
        let parent = try resonate.register("parent") { (ctx: Context) async throws -> String in
            _ = try await ctx.beginRpc(child, "fire")
            return "returned early"
        }
        let result = try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("structured", parent)
            return try await handle.result()
        }
        #expect(result == "returned early")
        #expect(counter.count("fire") == 1)
    }

    @Test("a latent promise is settled from outside and the workflow continues with its value")
    func latentPromise() async throws {
        let resonate = try Resonate.local()
        let ids = AsyncStream.makeStream(of: String.self)
        let approval = try resonate.register("approval") { (ctx: Context) async throws -> String in
            let decision = try await ctx.promise(Bool.self, timeout: .seconds(60))
            ids.continuation.yield(decision.id)
            return try await decision.result() ? "approved" : "rejected"
        }
        let result = try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("approve-1", approval)
            var iterator = ids.stream.makeAsyncIterator()
            let promiseID = try #require(await iterator.next())
            #expect(promiseID == "approve-1:1")
            try await resonate.promises.resolve(promiseID, true)
            return try await handle.result()
        }
        #expect(result == "approved")
    }

    @Test("fan-out of 100 calls with ids in call order, awaited together")
    func fanOut() async throws {
        let resonate = try Resonate.local()
        let square = try resonate.register("square") { (_: Context, value: Int) async throws -> Int in value * value }
        let fan = try resonate.register("fan") { (ctx: Context, count: Int) async throws -> [Int] in
            var local: [DurableFuture<Int>] = []
            var remote: [DurableFuture<Int>] = []
            for value in 0..<count {
                local.append(try await ctx.beginRun(square, value))
                remote.append(try await ctx.beginRpc(square, value))
            }
            var results: [Int] = []
            for (first, second) in zip(local, remote) {
                results.append(try await first.result() + second.result())
            }
            return results
        }
        let (results, children) = try await resonate.withRunning { resonate in
            let results = try await resonate.run("fan-100", fan, 50)
            let children = try await resonate.promises.search(tags: ["resonate:parent": "fan-100"], limit: 1000)
            return (results, children.promises.filter { $0.id != "fan-100" })
        }
        #expect(results == (0..<50).map { 2 * $0 * $0 })
        #expect(children.count == 100)
        #expect(Set(children.map(\.id)) == Set((1...100).map { "fan-100:\($0)" }))
    }

    @Test("a registered Codable error comes back as the same type, with its data")
    func typedErrors() async throws {
        let resonate = try Resonate.local()
        resonate.registerError(PaymentDeclined.self)
        let charge = try resonate.register("charge", retry: .never) {
            (_: Context, amount: Int) async throws -> String in
            throw PaymentDeclined(reason: "insufficient funds", amount: amount)
        }
        let checkout = try resonate.register("checkout") { (ctx: Context, amount: Int) async throws -> String in
            do {
                return try await ctx.rpc(charge, amount)
            } catch let declined as PaymentDeclined {
                return "declined: \(declined.reason) (\(declined.amount))"
            }
        }
        let result = try await resonate.withRunning { try await $0.run("checkout-1", checkout, 12) }
        #expect(result == "declined: insufficient funds (12)")
    }

    /// A local instance that keeps no suspended execution in memory: every resume replays.
    static func replaying() throws -> Resonate {
        var configuration = Resonate.Configuration()
        configuration.maxParkedExecutions = 0
        return try Resonate(configuration: configuration)
    }

    /// Waits until `condition` holds, checking every 10 ms, for at most 30 s.
    /// A workflow of three steps, each followed (optionally by a short sleep and) by a latent promise whose id it
    /// hands out through `gates` and waits for; it counts how often its body is entered and its steps run.
    struct GatedLoop: Sendable {
        let function: DurableFunction<Int>
        let gates: AsyncStream<String>
        /// `"entries"`: times the body was entered; `"steps"`: times a step ran.
        let counts = Counter()

        init(on resonate: Resonate, sleeping: Bool) throws {
            let (gates, gate) = AsyncStream.makeStream(of: String.self)
            self.gates = gates
            let counts = self.counts
            let step = try resonate.register("step") { (_: Context, n: Int) async throws -> Int in
                counts.increment("steps")
                return n * 2
            }
            function = try resonate.register("looping") { (ctx: Context) async throws -> Int in
                counts.increment("entries")
                var total = 0
                for n in 1...3 {
                    total += try await ctx.run(step, n)
                    if sleeping { try await ctx.sleep(for: .milliseconds(20)) }
                    let approval = try await ctx.promise(Bool.self)
                    gate.yield(approval.id)
                    _ = try await approval.result()
                }
                return total
            }
        }
    }

    @Test("a resumed execution kept in memory continues where it waited: the body is entered once")
    func stickyExecution() async throws {
        let resonate = try Resonate.local()
        let loop = try GatedLoop(on: resonate, sleeping: true)
        let (result, statistics) = try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("looping-1", loop.function)
            var iterator = loop.gates.makeAsyncIterator()
            for _ in 1...3 {
                let gate = try #require(await iterator.next())
                // Resolved only once the execution waits for it in memory: a resume, not a 300 to the suspend.
                try await eventually("the execution to park") { resonate.resumeStatistics.parked == 1 }
                try await resonate.promises.resolve(gate, true)
            }
            return (try await handle.result(), resonate.resumeStatistics)
        }
        #expect(result == 12)
        #expect(loop.counts.count("steps") == 3)
        #expect(loop.counts.count("entries") == 1, "never replayed")
        #expect(statistics.inMemory >= 3 && statistics.inMemory == statistics.suspended)
        #expect(statistics.replayed == 0)
        #expect(statistics.parked == 0)
    }

    @Test("without the in-memory cache every resume replays from the top, and no step runs twice")
    func replayWithoutCache() async throws {
        let resonate = try Self.replaying()
        let loop = try GatedLoop(on: resonate, sleeping: false)
        let (result, statistics) = try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("looping-2", loop.function)
            var iterator = loop.gates.makeAsyncIterator()
            var resolved: Set<String> = []
            while resolved.count < 3 {
                // A replay passes the gates it resolved before again.
                let gate = try #require(await iterator.next())
                guard resolved.insert(gate).inserted else { continue }
                try await eventually("suspension \(resolved.count)") {
                    resonate.resumeStatistics.suspended == resolved.count
                }
                try await resonate.promises.resolve(gate, true)
            }
            return (try await handle.result(), resonate.resumeStatistics)
        }
        #expect(result == 12)
        #expect(loop.counts.count("steps") == 3)
        #expect(loop.counts.count("entries") == 4)
        #expect(statistics.suspended == 3 && statistics.replayed == 3)
        #expect(statistics.inMemory == 0 && statistics.parked == 0)
    }

    @Test("a replay that makes a different call than its history fails the execution")
    func divergenceDetection() async throws {
        let resonate = try Self.replaying()
        let flag = Flag()
        let first = try resonate.register("first") { (_: Context) async throws -> Int in 1 }
        let second = try resonate.register("second") { (_: Context) async throws -> Int in 2 }
        let latch = AsyncStream.makeStream(of: String.self)
        let unstable = try resonate.register("unstable") { (ctx: Context) async throws -> Int in
            let value = flag.isOn ? try await ctx.run(second) : try await ctx.run(first)
            let gate = try await ctx.promise(Bool.self)
            latch.continuation.yield(gate.id)
            _ = try await gate.result()
            return value
        }
        try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("unstable-1", unstable)
            var iterator = latch.stream.makeAsyncIterator()
            let gate = try #require(await iterator.next())
            try await eventually("the suspension") { resonate.resumeStatistics.suspended == 1 }
            flag.set(true)  // The code "changes" while the execution is suspended.
            try await resonate.promises.resolve(gate, true)
            await #expect {
                try await handle.result()
            } throws: { error in
                guard let error = error as? ResonateError else { return false }
                return error.code == .nonDeterminism && error.message.contains("'first'")
                    && error.message.contains("'second'")
            }
        }
    }

    @Test("now() and random() are recorded: a replay sees the values of the first run")
    func determinism() async throws {
        let resonate = try Self.replaying()
        let observed = Mutex<[String]>([])
        let latch = AsyncStream.makeStream(of: String.self)
        let clocked = try resonate.register("clocked") { (ctx: Context) async throws -> String in
            let time = try await ctx.now()
            let number = try await ctx.random(in: 1...1_000_000)
            let line = "\(time.timeIntervalSince1970) \(number)"
            observed.withLock { $0.append(line) }
            let gate = try await ctx.promise(Bool.self)
            latch.continuation.yield(gate.id)
            _ = try await gate.result()
            return line
        }
        let result = try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("clocked-1", clocked)
            var iterator = latch.stream.makeAsyncIterator()
            let gate = try #require(await iterator.next())
            try await eventually("the suspension") { resonate.resumeStatistics.suspended == 1 }
            try await resonate.promises.resolve(gate, true)
            return try await handle.result()
        }
        let lines = observed.withLock { $0 }
        #expect(lines.count == 2)
        #expect(Set(lines) == [result])
    }

    @Test("info, child deadlines capped at the parent's, and dependencies")
    func infoAndDependencies() async throws {
        struct Greeting: Sendable { let text: String }
        let resonate = try Resonate.local()
        resonate.setDependency(Greeting(text: "hi"))
        let inner = try resonate.register("inner") { (ctx: Context) async throws -> [String] in
            [
                ctx.info.id, ctx.info.parentID, ctx.info.originID, ctx.info.functionName, String(ctx.info.attempt),
                String(Int(ctx.info.deadline.timeIntervalSince1970)), try ctx.dependency(Greeting.self).text,
            ]
        }
        let outer = try resonate.register("outer") { (ctx: Context) async throws -> [String] in
            let values = try await ctx.run(inner, options: .timeout(.days(30)))
            return values + [String(Int(ctx.info.deadline.timeIntervalSince1970))]
        }
        let values = try await resonate.withRunning {
            try await $0.run("outer-1", outer, options: .timeout(.seconds(600)))
        }
        #expect(Array(values.prefix(5)) == ["outer-1:1", "outer-1", "outer-1", "inner", "1"])
        #expect(values[5] == values[7], "the child's deadline is capped at the parent's")
        #expect(values[6] == "hi")
    }

    @Test("a detached execution runs on its own and its id is returned at once")
    func detached() async throws {
        let resonate = try Resonate.local()
        let done = AsyncStream.makeStream(of: String.self)
        let background = try resonate.register("background") { (_: Context, note: String) async throws in
            done.continuation.yield(note)
        }
        let launcher = try resonate.register("launcher") { (ctx: Context) async throws -> String in
            try await ctx.detached(background, "from launcher")
        }
        let (id, note) = try await resonate.withRunning { resonate in
            let id = try await resonate.run("launch-1", launcher)
            var iterator = done.stream.makeAsyncIterator()
            return (id, await iterator.next())
        }
        #expect(id.hasPrefix("launch-1:d"))
        #expect(note == "from launcher")
    }
}
