// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import InMemoryTracing
import Resonate
import ResonateServer
import ResonateTesting
import ServiceContextModule
import Testing
import Tracing

/// Trace context travels inside durable promises: a workflow resumed on another worker continues the trace of the
/// call that started it, and the server's request spans join the same trace.
@Suite("Tracing", .timeLimit(.minutes(1)))
struct TracingTests {
    static func worker(_ url: String, pid: String, tracer: InMemoryTracer) -> Resonate {
        var configuration = Resonate.Configuration()
        configuration.mode = .remote(url: url)
        configuration.group = "workers"
        configuration.pid = pid
        configuration.tracer = tracer
        return try! Resonate(configuration: configuration)
    }

    @Test("a workflow resumed on another worker continues the caller's trace, with a span per run and per step")
    func traceSurvivesResumption() async throws {
        let tracer = InMemoryTracer()
        try await InProcessServer.with(server: { $0.tracer = tracer }) { server in
            let first = Self.worker(server.url, pid: "first", tracer: tracer)
            let second = Self.worker(server.url, pid: "second", tracer: tracer)
            var clientConfiguration = Resonate.Configuration()
            clientConfiguration.mode = .remote(url: server.url)
            clientConfiguration.group = "clients"
            clientConfiguration.tracer = tracer
            let client = try Resonate(configuration: clientConfiguration)

            // The workflow awaits a latent promise that is resolved only once the first worker has stopped, so the
            // resumption necessarily happens on the second.
            let approvals = AsyncStream.makeStream(of: String.self)
            for worker in [first, second] {
                let step = try worker.register("step") { (_: Context, value: Int) async throws -> Int in value * 10 }
                try worker.register("traced") { (ctx: Context, value: Int) async throws -> Int in
                    let stepped = try await ctx.run(step, value)
                    let approval = try await ctx.promise(Int.self)
                    approvals.continuation.yield(approval.id)
                    return stepped + (try await approval.result())
                }
            }

            // The caller's span; everything below should belong to its trace.
            let root = tracer.startSpan("checkout", context: .topLevel, ofKind: .client)
            let result = try await client.withRunning { client in
                try await ServiceContext.withValue(root.context) {
                    // The first worker runs until the workflow awaits the latent promise, then stops; the second
                    // resumes it.
                    let approval = try await first.withRunning { _ in
                        _ = try await client.beginRpc(
                            "traced-1", "traced", 4, returning: Int.self, options: .target("workers"))
                        for await id in approvals.stream { return id }
                        throw CancellationError()
                    }
                    return try await second.withRunning { _ in
                        try await client.promises.resolve(approval, 1)
                        return try await client.get("traced-1", returning: Int.self).result()
                    }
                }
            }
            root.end()
            #expect(result == 41)

            let spans = tracer.finishedSpans
            let checkoutSpan = spans.first(where: { $0.operationName == "checkout" })
            let checkout = try #require(checkoutSpan)
            let executions = spans.filter { $0.operationName == "resonate.execute traced" }
            let pids = Set(
                executions.compactMap { span -> String? in
                    guard case .string(let pid)? = span.attributes["resonate.pid"]?.toSpanAttribute() else {
                        return nil
                    }
                    return pid
                }
            )
            #expect(executions.count >= 2, "\(spans.map(\.operationName))")
            #expect(pids == ["first", "second"], "\(pids)")
            for execution in executions {
                #expect(execution.traceID == checkout.traceID)
                #expect(execution.parentSpanID == checkout.spanID)
            }
            let steps = spans.filter { $0.operationName == "resonate.run step" }
            #expect(steps.count == 1)
            #expect(steps.first?.traceID == checkout.traceID)
            #expect(executions.contains { $0.spanID == steps.first?.parentSpanID })
            // The server's spans for the caller's request and the workers' requests are in the trace too.
            let serverSpans = spans.filter { $0.kind == .server && $0.traceID == checkout.traceID }
            #expect(serverSpans.contains { $0.operationName == "resonate promise.create" })
            #expect(serverSpans.contains { $0.operationName == "resonate task.fulfill" })
        }
    }
}
