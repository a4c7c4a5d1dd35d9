// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

@Suite("Local step checkpoints in an execution's first run")
struct StepCheckpointTests {
    @Test("a step's checkpoint is written once, settled, when the step ends: no promise exists while it runs")
    func checkpointWrittenWhenStepEnds() async throws {
        try await InProcessServer.with { server in
            let resonate = Resonate(url: server.url, group: "workers", ttl: .seconds(30))
            let running = AsyncStream.makeStream(of: Int.self)
            let proceed = AsyncStream.makeStream(of: Void.self)
            let step = try resonate.register("step") { (_: Context, value: Int) async throws -> Int in
                running.continuation.yield(value)
                var iterator = proceed.stream.makeAsyncIterator()
                await iterator.next()
                return value * 10
            }
            let steps = try resonate.register("steps") { (ctx: Context, count: Int) async throws -> [Int] in
                var results: [Int] = []
                for index in 0..<count { results.append(try await ctx.run(step, index)) }
                return results
            }
            let begun = Int64(Date().timeIntervalSince1970 * 1000)
            let results = try await resonate.withRunning { resonate async throws -> [Int] in
                let handle = try await resonate.beginRun("steps", steps, 2)
                var started = running.stream.makeAsyncIterator()
                for index in 0..<2 {
                    #expect(await started.next() == index)
                    await #expect(throws: ResonateError.self) { try await resonate.promises.get("steps:\(index + 1)") }
                    // The step takes a few milliseconds, so its duration is not zero.
                    try await Task.sleep(for: .milliseconds(5))
                    proceed.continuation.yield()
                }
                return try await handle.result()
            }
            #expect(results == [0, 10])
            for id in ["steps:1", "steps:2"] {
                let checkpoint = try await resonate.promises.get(id)
                #expect(checkpoint.state == .resolved)
                // Created when the step began, so the step's duration shows.
                #expect(checkpoint.createdAt >= begun && checkpoint.createdAt < checkpoint.settledAt ?? 0)
                #expect(checkpoint.tags[Tag.parent] == "steps" && checkpoint.tags[Tag.scope] == "local")
            }
        }
    }

    @Test("a step that makes a durable call has its own promise first, so cancelling the execution reaches both")
    func nestedCallCreatesTheStepFirst() async throws {
        try await InProcessServer.with { server in
            let resonate = Resonate(url: server.url, group: "workers", ttl: .seconds(30))
            let sleeping = AsyncStream.makeStream(of: Void.self)
            let outer = try resonate.register("outer") { (ctx: Context) async throws -> Int in
                sleeping.continuation.yield()
                try await ctx.sleep(for: .seconds(600))
                return 1
            }
            let workflow = try resonate.register("workflow") { (ctx: Context) async throws -> Int in
                try await ctx.run(outer)
            }
            try await resonate.withRunning { resonate in
                let handle = try await resonate.beginRun("nested", workflow)
                var iterator = sleeping.stream.makeAsyncIterator()
                await iterator.next()
                try await eventually("the step's sleep to exist") {
                    (try? await resonate.promises.get("nested:1.1")) != nil
                }
                let step = try await resonate.promises.get("nested:1")
                #expect(step.state == .pending)
                #expect(try await resonate.promises.get("nested:1.1").tags[Tag.parent] == "nested:1")
                #expect(try await handle.cancel() == .canceled)
                #expect(try await resonate.promises.get("nested:1").state == .rejectedCanceled)
                #expect(try await resonate.promises.get("nested:1.1").state == .rejectedCanceled)
            }
        }
    }
}
