// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

@Suite("resonate cancel", .timeLimit(.minutes(2)), .serialized)
struct CancelCommandTests {
    @Test("cancel stops a sleeping workflow, cancels its children, runs its cleanup once, and refuses a second time")
    func cancelSleepingWorkflow() async throws {
        try await DevServer.with { server, cli in
            let workers = Resonate(url: server.url, group: "workers")
            let counts = Counter()
            let reserve = try workers.register("reserve") { (_: Context, item: String) async throws -> String in
                counts.increment("reserve")
                return item
            }
            let release = try workers.register("release") { (_: Context, item: String) async throws -> String in
                counts.increment("release")
                return item
            }
            try workers.register("checkout") { (ctx: Context, item: String) async throws -> String in
                let held = try await ctx.run(reserve, item)
                do {
                    try await ctx.sleep(for: .hours(1))
                    return held
                } catch is CancellationError {
                    try await ctx.nonCancellable { _ = try await ctx.run(release, held) }
                    throw CancellationError()
                }
            }
            try await workers.withRunning { workers in
                let invoked = try await cli.run(
                    "invoke", "order-9", "--func", "checkout", "--arg", "book", "--target", "poll://any@workers")
                #expect(invoked.status == 0, "\(invoked)")
                try await Self.waitFor("order-9:2", .pending, on: workers)

                let canceled = try await cli.run("cancel", "order-9", "--reason", "withdrawn")
                #expect(canceled.status == 0, "\(canceled)")
                #expect(canceled.stdout.hasPrefix("canceled order-9\n"), "\(canceled)")
                #expect(canceled.stdout.contains("rejected_canceled"), "\(canceled)")

                try await Self.waitFor("order-9:cleanup", .resolved, on: workers)
                #expect(counts.count("reserve") == 1)
                #expect(counts.count("release") == 1)
                let awaited = await #expect(throws: ResonateError.self) {
                    try await workers.promises.value(of: workers.promises.get("order-9"), as: String.self)
                }
                #expect("\(awaited.map { "\($0)" } ?? "")".contains("withdrawn"))
            }

            let tree = try await cli.run("tree", "order-9", "--json").json()
            #expect(tree["state"] == .string("rejected_canceled"))
            guard case .array(let children)? = tree["children"] else {
                Issue.record("no children: \(tree)")
                return
            }
            // In creation order: the step, the sleep, the cleanup execution and the cleanup's own step.
            #expect(
                children.map { $0["kind"] } == [.string("run"), .string("sleep"), .string("cleanup"), .string("run")])
            #expect(
                children.map { $0["state"] } == [
                    .string("resolved"), .string("rejected_canceled"), .string("resolved"), .string("resolved"),
                ])
            #expect(
                children.map { $0["function"] } == [
                    .string("reserve"), .string("sleep"), .string("checkout"), .string("release"),
                ])

            let again = try await cli.run("cancel", "order-9")
            #expect(again.status == 1)
            #expect(again.stderr.contains("order-9 was already rejected_canceled; nothing was canceled"), "\(again)")
            let missing = try await cli.run("cancel", "order-404")
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("no execution order-404"), "\(missing)")
        }
    }

    /// How often each step ran.
    final class Counter: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        func increment(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }
        func count(_ key: String) -> Int { counts.withLock { $0[key, default: 0] } }
    }

    static func waitFor(_ id: String, _ state: PromiseState, on resonate: Resonate) async throws {
        try await eventually("\(id) to be \(state)", within: .seconds(30)) {
            (try? await resonate.promises.get(id))?.state == state
        }
    }
}
