// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import InMemoryTracing
import Resonate
import ResonateServer
import ResonateTestSupport
import ResonateTesting
import Testing
import Tracing

/// When a handle's outcome needs a listener on the server (`promise.register_listener`), counted from the server's
/// request spans.
@Suite("Listeners for handles", .timeLimit(.minutes(2)))
struct ListenerTests {
    static func requests(_ kind: String, in tracer: InMemoryTracer, id: String? = nil) -> Int {
        tracer.finishedSpans.filter { span in
            guard span.operationName == "resonate \(kind)" else { return false }
            guard let id else { return true }
            return span.attributes["resonate.id"]?.toSpanAttribute() == .string(id)
        }.count
    }

    @Test("awaiting executions that run in this process asks the server for no listener")
    func localExecutionsNeedNoListener() async throws {
        let tracer = InMemoryTracer()
        try await InProcessServer.with(server: { $0.tracer = tracer }) { server in
            let resonate = Resonate(url: server.url, group: "workers")
            let double = try resonate.register("double") { (_: Context, value: Int) async throws -> Int in value * 2 }
            let results = try await resonate.withRunning { resonate in
                var results: [Int] = []
                for index in 0..<20 { results.append(try await resonate.run("double-\(index)", double, index)) }
                return results
            }

            #expect(results == (0..<20).map { $0 * 2 })
            #expect(Self.requests("task.create", in: tracer) == 20)
            #expect(Self.requests("promise.register_listener", in: tracer) == 0)
        }
    }

    @Test("an execution that suspends here gets its handle's listener then, since it may resume elsewhere")
    func suspendedExecutionGetsListener() async throws {
        let tracer = InMemoryTracer()
        try await InProcessServer.with(server: { $0.tracer = tracer }) { server in
            let resonate = Resonate(url: server.url, group: "workers")
            let approvals = AsyncStream.makeStream(of: String.self)
            let approved = try resonate.register("approved") { (ctx: Context, value: Int) async throws -> Int in
                let approval = try await ctx.promise(Int.self)
                approvals.continuation.yield(approval.id)
                return value + (try await approval.result())
            }
            let result = try await resonate.withRunning { resonate in
                let handle = try await resonate.beginRun("approved-1", approved, 40)
                async let outcome = handle.result()
                var ids = approvals.stream.makeAsyncIterator()
                let approval = try #require(await ids.next())
                // The execution suspends on the latent promise: its handle's listener goes to the server then.
                try await eventually("the handle's listener") {
                    Self.requests("promise.register_listener", in: tracer, id: "approved-1") == 1
                }
                try await resonate.promises.resolve(approval, 2)
                return try await outcome
            }

            #expect(result == 42)
            #expect(Self.requests("promise.register_listener", in: tracer, id: "approved-1") == 1)
        }
    }

    @Test("an execution settled by another process while it runs here still reaches its handle, through a listener")
    func settledElsewhereReachesHandle() async throws {
        let tracer = InMemoryTracer()
        try await InProcessServer.with(server: { $0.tracer = tracer }) { server in
            let worker = Resonate(url: server.url, group: "workers")
            let other = Resonate(url: server.url, group: "others")
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
            let step = try worker.register("held") { (_: Context) async throws -> Int in
                startedContinuation.yield()
                for await _ in release { break }
                return 1
            }
            let workflow = try worker.register("held-workflow") { (ctx: Context) async throws -> Int in
                try await ctx.run(step)
            }
            let error = try await worker.withRunning { worker in
                try await other.withRunning { other in
                    let handle = try await worker.beginRun("held-1", workflow)
                    async let outcome: Void = { _ = try await handle.result() }()
                    var steps = started.makeAsyncIterator()
                    await steps.next()
                    // Canceled by another process while its step runs here: no answer to a fulfill of this process
                    // will settle the handle. Once the step ends, the execution finds its lease gone and leaves.
                    #expect(try await other.cancel("held-1", reason: "withdrawn") == .canceled)
                    releaseContinuation.yield()
                    do {
                        try await outcome
                        return nil as ResonateError?
                    } catch let error as ResonateError {
                        return error
                    }
                }
            }

            #expect(error?.code == .canceled)
            #expect(Self.requests("promise.register_listener", in: tracer, id: "held-1") == 1)
        }
    }
}
