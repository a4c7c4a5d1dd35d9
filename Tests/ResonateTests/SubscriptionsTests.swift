// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Testing

@testable import Resonate

@Suite("Subscriptions: who waits for which promise, in bounded memory")
struct SubscriptionsTests {
    private static func record(_ id: String, _ state: PromiseState = .resolved) -> PromiseRecord {
        PromiseRecord(id: id, state: state, timeoutAt: 1_000, createdAt: 0, settledAt: state.isSettled ? 10 : nil)
    }

    @Test("a settled record of an id nobody tracks is not kept")
    func untrackedIsNotKept() {
        let subscriptions = Subscriptions()
        subscriptions.update(Self.record("a"))
        #expect(subscriptions.trackedCount == 0)
        #expect(subscriptions.settled("a") == nil)
    }

    @Test("a tracked id's waiters get its settled record; a pending record changes nothing")
    func waitersComplete() async throws {
        let subscriptions = Subscriptions()
        #expect(subscriptions.track("a"))
        #expect(!subscriptions.track("a"))
        subscriptions.update(Self.record("a", .pending))
        #expect(subscriptions.pendingIDs == ["a"])
        async let waited = subscriptions.wait("a")
        subscriptions.update(Self.record("a"))
        #expect(try await waited?.state == .resolved)
        #expect(subscriptions.settled("a")?.state == .resolved)
        #expect(subscriptions.pendingIDs == [])
    }

    @Test("only the most recent settled outcomes are remembered; pending ids are never forgotten")
    func boundedSettled() async throws {
        let subscriptions = Subscriptions(settledCapacity: 3)
        subscriptions.track("pending")
        for index in 0..<10 {
            subscriptions.remember(Self.record("done-\(index)"))
        }
        #expect(subscriptions.trackedCount == 4)
        #expect(subscriptions.pendingIDs == ["pending"])
        #expect(subscriptions.settled("done-9") != nil && subscriptions.settled("done-7") != nil)
        #expect(subscriptions.settled("done-6") == nil)
        // A forgotten outcome is not waited for: the caller asks the server again.
        #expect(try await subscriptions.wait("done-0") == nil)
    }

    @Test("an id whose listener could not be registered is untracked; one with waiters or an outcome stays")
    func untrackIfUnsettled() {
        let subscriptions = Subscriptions()
        subscriptions.track("failed")
        subscriptions.untrackIfUnsettled("failed")
        #expect(subscriptions.trackedCount == 0)
        subscriptions.remember(Self.record("settled"))
        subscriptions.untrackIfUnsettled("settled")
        #expect(subscriptions.settled("settled") != nil)
    }

    @Test("a missing promise fails its waiters with notFound")
    func failure() async throws {
        let subscriptions = Subscriptions()
        subscriptions.track("gone")
        subscriptions.fail("gone", with: ResonateError(.notFound, "gone"))
        let error = await #expect(throws: ResonateError.self) { try await subscriptions.wait("gone") }
        #expect(error?.code == .notFound)
    }

    @Test("a long-lived instance keeps no record of the thousands of executions it started and finished")
    func longLivedInstanceStaysBounded() async throws {
        let resonate = try Resonate.local()
        let step = try resonate.register("step") { (ctx: Context, value: Int) async throws -> Int in value + 1 }
        try await resonate.withRunning { resonate in
            for index in 0..<1_500 {
                // Started and never awaited, like a Kafka dispatcher's workflows: nothing is tracked.
                _ = try await resonate.beginRun("fire-\(index)", step, index)
            }
            for index in 0..<1_500 {
                #expect(try await resonate.run("awaited-\(index)", step, index) == index + 1)
            }
            // Awaited ones are remembered up to the bound; the earliest are forgotten but still answer.
            #expect(resonate.runtime.subscriptions.trackedCount <= resonate.runtime.subscriptions.settledCapacity)
            let handle: Handle<Int> = try await resonate.get("awaited-0")
            #expect(try await handle.result() == 1)
            let fired: Handle<Int> = try await resonate.get("fire-1499")
            #expect(try await fired.result() == 1_500)
        }
    }
}
