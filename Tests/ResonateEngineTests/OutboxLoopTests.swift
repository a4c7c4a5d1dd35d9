// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import ResonateTesting
import Testing

@Suite("The engine's outbox loop: deletes delivered rows, routes overdue relays again, sleeps when idle")
struct OutboxLoopTests {
    @Test("a delivered message's row is deleted, and then the loop sleeps until new work instead of polling")
    func idleLoopSleeps() async throws {
        try await EngineHarness.with(.sqlite) { harness async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await harness.engine.run() }
                defer { group.cancelAll() }
                await harness.createTaskPromise("job")
                #expect(harness.sink.takeExecutes() == [TaskReference(id: "job", version: 0)])
                try await eventually("the delivered row to be deleted") {
                    try await harness.snapshot().outbox.isEmpty
                }
                // Nothing is due: the loop sleeps an hour on the engine's clock (new work wakes it), where it used
                // to wake every 50 ms.
                let idle = EngineHarness.start + 3_600_000
                try await eventually("the outbox loop to sleep until \(idle): \(harness.clock.sleeperDeadlines)") {
                    harness.clock.sleeperDeadlines.contains(idle)
                }
            }
        }
    }

    @Test("an unacknowledged relay wakes the sleeping loop at its deadline on the engine's clock and goes out again")
    func overdueRelayIsRoutedAgain() async throws {
        try await EngineHarness.with(.sqlite) { harness async throws in
            harness.sink.setRelaying("workers")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await harness.engine.run() }
                defer { group.cancelAll() }
                try await eventually("the outbox loop to sleep") { !harness.clock.sleeperDeadlines.isEmpty }
                await harness.createTaskPromise("job")
                #expect(harness.sink.takeExecutes() == [TaskReference(id: "job", version: 0)])
                #expect(harness.engine.unacknowledgedRelayCount == 1)
                // The relay woke the loop, which now sleeps towards the acknowledgement's deadline (1 s).
                let due = EngineHarness.start + 1_000
                try await eventually("the loop to sleep until \(due): \(harness.clock.sleeperDeadlines)") {
                    harness.clock.sleeperDeadlines.contains(due)
                }
                #expect(harness.sink.takeExecutes().isEmpty)
                harness.clock.advance(to: due)
                try await eventually("the execute to be routed again") {
                    harness.sink.takeExecutes() == [TaskReference(id: "job", version: 0)]
                }
                #expect(try await harness.snapshot().outbox.count == 1)
            }
        }
    }
}
