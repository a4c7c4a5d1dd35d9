// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Resonate
import Synchronization
import Testing

/// Counts how often something ran.
final class Counter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    @discardableResult
    func increment(_ key: String = "") -> Int {
        counts.withLock { counts in
            counts[key, default: 0] += 1
            return counts[key]!
        }
    }

    func count(_ key: String = "") -> Int { counts.withLock { $0[key, default: 0] } }
}

@Suite("Local mode", .timeLimit(.minutes(1)))
struct LocalModeTests {
    @Test("a leaf function runs and returns its result")
    func leaf() async throws {
        let resonate = try Resonate.local()
        let add = try resonate.register("add") { (_: Context, a: Int, b: Int) async throws -> Int in a + b }
        let sum = try await resonate.withRunning { resonate in try await resonate.run("add-1", add, 2, 3) }
        #expect(sum == 5)
    }

    @Test(
        "a call with arguments that do not fit the function fails at once, saying why",
        arguments: [
            ([1, 2, 3], "add takes 2 arguments but was called with 3"),
            ([1], "add expects more arguments than the 1 it was called with"),
        ])
    func argumentsMustFit(arguments: [Int], message: String) async throws {
        let resonate = try Resonate.local()
        let attempts = Counter()
        // A retry would wait an hour: the suite's time limit would end the test.
        try resonate.register("add", retry: .constant(delay: .seconds(3600), maxRetries: 3)) {
            (_: Context, a: Int, b: Int) async throws -> Int in
            attempts.increment()
            return a + b
        }
        try await resonate.withRunning { resonate in
            let error = await #expect(throws: (any Error).self) {
                try await resonate.beginRpc(
                    "add-\(arguments.count)", "add", arguments: arguments.map { .integer(Int64($0)) },
                    returning: Int.self
                ).result()
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains(message))
        }
        #expect(attempts.count() == 0)
    }

    @Test("a function that returns nothing is called, by reference and by name, and awaited with no placeholder type")
    func functionsReturningNothing() async throws {
        let resonate = try Resonate.local()
        let marks = Counter()
        let mark = try resonate.register("mark") { (_: Context, key: String) async throws in _ = marks.increment(key) }
        let parent = try resonate.register("parent") { (ctx: Context) async throws in
            try await ctx.run(mark, "step")
            try await ctx.rpc("mark", "by name")
            let later = try await ctx.beginRpc("mark", "future")
            try await later.result()
        }
        try await resonate.withRunning { resonate in
            try await resonate.run("parent-1", parent)
            try await resonate.rpc("mark-1", "mark", "top by name")
            let handle = try await resonate.beginRpc("mark-2", "mark", "handle")
            try await handle.result()
        }
        #expect(["step", "by name", "future", "top by name", "handle"].map { marks.count($0) } == [1, 1, 1, 1, 1])
    }

    @Test("a workflow's steps are checkpointed and run once each")
    func stepsRunOnce() async throws {
        let resonate = try Resonate.local()
        let counter = Counter()
        let step = try resonate.register("step") { (_: Context, name: String) async throws -> String in
            counter.increment(name)
            return name.uppercased()
        }
        let workflow = try resonate.register("workflow") { (ctx: Context, prefix: String) async throws -> String in
            let a = try await ctx.run(step, prefix + "a")
            let b = try await ctx.run(step, prefix + "b")
            try await ctx.sleep(for: .milliseconds(10))
            let c = try await ctx.run(step, prefix + "c")
            return [a, b, c].joined(separator: "-")
        }
        let result = try await resonate.withRunning { resonate in try await resonate.run("wf-1", workflow, "x") }
        #expect(result == "XA-XB-XC")
        #expect(counter.count("xa") == 1)
        #expect(counter.count("xb") == 1)
        #expect(counter.count("xc") == 1)
    }

    @Test("the same id run twice executes once and both get the result")
    func deduplication() async throws {
        let resonate = try Resonate.local()
        let counter = Counter()
        let once = try resonate.register("once") { (_: Context, value: Int) async throws -> Int in
            counter.increment()
            return value * 2
        }
        let (first, second) = try await resonate.withRunning { resonate in
            let first = try await resonate.run("same", once, 21)
            let second = try await resonate.run("same", once, 99)
            return (first, second)
        }
        #expect(first == 42)
        #expect(second == 42)
        #expect(counter.count() == 1)
    }

    @Test("a thrown error rejects the execution and reaches the caller")
    func errors() async throws {
        let resonate = try Resonate.local()
        let fail = try resonate.register("fail", retry: .never) { (_: Context, message: String) async throws -> Int in
            throw ApplicationError(name: "Boom", message: message)
        }
        await #expect(throws: ApplicationError(name: "Boom", message: "no")) {
            try await resonate.withRunning { resonate in try await resonate.run("fail-1", fail, "no") }
        }
    }
}
