// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Testing

@testable import ResonateEngine

@Suite("The outbox state: parked messages, relays awaiting acknowledgement, delivered rows")
struct OutboxStateTests {
    static func execute(_ task: String, version: Int64, sequence: Int64) -> Delivery {
        Delivery(
            entry: OutboxEntry(
                sequence: sequence, content: .execute(taskID: task, version: version), address: "poll://any@workers"),
            message: .execute(taskID: task, version: version))
    }

    static let job = execute("job", version: 1, sequence: 7)

    @Test(
        "an acknowledgement of a relayed message",
        arguments: [
            // (delivered, expected action, row deleted, still awaiting acknowledgement)
            (true, OutboxState.AcknowledgementAction.delete, true, false),
            (false, .routeAgain(job), false, true),
        ])
    func acknowledgement(
        delivered: Bool, action: OutboxState.AcknowledgementAction, deleted: Bool, awaiting: Bool
    ) {
        var state = OutboxState()
        state.relayed(Self.job, at: 1_000)
        #expect(state.takeDeliveredRows().isEmpty, "a relayed message's row stays until it is acknowledged")
        let answer = state.acknowledge(
            address: "poll://any@workers", content: .execute(taskID: "job", version: 1), delivered: delivered,
            maximumAttempts: 3)
        #expect(answer == action)
        #expect(state.takeDeliveredRows() == (deleted ? [Self.job.entry] : []))
        #expect(state.relayedCount == (awaiting ? 1 : 0))
    }

    @Test("an acknowledgement of another version, another address or nothing relayed changes nothing")
    func unrelatedAcknowledgement() {
        var state = OutboxState()
        #expect(
            state.acknowledge(
                address: "poll://any@workers", content: .execute(taskID: "job", version: 1), delivered: true,
                maximumAttempts: 3) == .none)
        state.relayed(Self.job, at: 1_000)
        // The task moved on: the newer message replaced the older one, whose late answer must not delete its row.
        state.relayed(Self.execute("job", version: 2, sequence: 9), at: 1_100)
        #expect(
            state.acknowledge(
                address: "poll://any@workers", content: .execute(taskID: "job", version: 1), delivered: true,
                maximumAttempts: 3) == .none)
        #expect(
            state.acknowledge(
                address: "poll://uni@workers/p", content: .execute(taskID: "job", version: 2), delivered: true,
                maximumAttempts: 3) == .none
        )
        #expect(state.relayedCount == 1)
        #expect(state.takeDeliveredRows().isEmpty)
    }

    @Test("answered 'no connection here' again and again, a message is given up after the last attempt")
    func bouncedRelays() {
        var state = OutboxState()
        for attempt in 1...3 {
            state.relayed(Self.job, at: Int64(attempt))
            let answer = state.acknowledge(
                address: "poll://any@workers", content: .execute(taskID: "job", version: 1), delivered: false,
                maximumAttempts: 3)
            #expect(answer == (attempt < 3 ? .routeAgain(Self.job) : .givenUp), "attempt \(attempt)")
        }
        #expect(state.relayedCount == 0)
        #expect(state.takeDeliveredRows() == [Self.job.entry])
    }

    @Test("a relay not acknowledged in time is routed again, and given up to the retry timer after the last attempt")
    func unacknowledgedRelays() {
        var state = OutboxState()
        let other = Self.execute("other", version: 1, sequence: 3)
        state.relayed(Self.job, at: 1_000)
        state.relayed(other, at: 1_500)
        // Not yet overdue.
        #expect(state.takeUnacknowledged(now: 1_999, timeout: 1_000, maximumAttempts: 3).routeAgain.isEmpty)
        // Overdue: routed again (in outbox order), and not again until another timeout has passed.
        var overdue = state.takeUnacknowledged(now: 2_600, timeout: 1_000, maximumAttempts: 3)
        #expect(overdue.routeAgain == [other, Self.job])
        #expect(state.takeUnacknowledged(now: 2_700, timeout: 1_000, maximumAttempts: 3).routeAgain.isEmpty)
        // Each relay counts an attempt; after the third, the row is given up.
        state.relayed(Self.job, at: 2_600)
        state.relayed(Self.job, at: 3_600)
        _ = state.acknowledge(
            address: "poll://any@workers", content: .execute(taskID: "other", version: 1), delivered: true,
            maximumAttempts: 3)
        overdue = state.takeUnacknowledged(now: 4_600, timeout: 1_000, maximumAttempts: 3)
        #expect(overdue.routeAgain.isEmpty)
        #expect(overdue.givenUp == 1)
        #expect(state.relayedCount == 0)
        #expect(state.takeDeliveredRows() == [other.entry, Self.job.entry])
    }

    @Test("a relayed message delivered or parked when routed again no longer awaits an acknowledgement")
    func routedElsewhere() {
        var state = OutboxState()
        state.relayed(Self.job, at: 1_000)
        state.markDelivered(Self.job.entry)
        #expect(state.relayedCount == 0)
        state.relayed(Self.job, at: 2_000)
        state.park(Self.job, group: "workers", at: 2_000)
        #expect(state.relayedCount == 0)
        #expect(state.parkedCount == 1)
        #expect(state.takeUnacknowledged(now: 9_000, timeout: 1_000, maximumAttempts: 3).routeAgain.isEmpty)
    }

    @Test("a newer message of the same row, delivered here, ends the older one's relay: no stale execute goes out")
    func newerMessageEndsAnOlderRelay() {
        var state = OutboxState()
        state.relayed(Self.job, at: 1_000)
        // The task moved on and its newer execute went to a connection of this replica.
        state.markDelivered(Self.execute("job", version: 2, sequence: 9).entry)
        #expect(state.relayedCount == 0)
        #expect(state.takeUnacknowledged(now: 9_000, timeout: 1_000, maximumAttempts: 3).routeAgain.isEmpty)
        // An older message never ends a newer relay.
        state.relayed(Self.execute("job", version: 2, sequence: 9), at: 2_000)
        state.markDelivered(Self.job.entry)
        #expect(state.relayedCount == 1)
    }

    @Test("parked messages go out when their group connects, the newest per row, and expire after their lifetime")
    func parking() {
        var state = OutboxState()
        state.park(Self.job, group: "workers", at: 1_000)
        state.park(Self.execute("job", version: 2, sequence: 9), group: "workers", at: 1_100)
        state.park(Self.execute("late", version: 1, sequence: 10), group: "others", at: 1_200)
        #expect(state.unpark(group: "workers") == [Self.execute("job", version: 2, sequence: 9)])
        #expect(state.unpark(group: "workers").isEmpty)
        #expect(state.expireParked(now: 1_500, lifetime: 1_000) == 0)
        #expect(state.expireParked(now: 2_200, lifetime: 1_000) == 1)
        #expect(state.takeDeliveredRows().map(\.sequence) == [10])
    }

    @Test("the next deadline is the earliest overdue acknowledgement or parked expiry, none when nothing waits")
    func nextDeadline() {
        var state = OutboxState()
        #expect(state.nextDeadline(relayTimeout: 1_000, parkedLifetime: 60_000) == nil)
        state.markDelivered(Self.job.entry)
        #expect(state.hasDeliveredRows)
        #expect(state.nextDeadline(relayTimeout: 1_000, parkedLifetime: 60_000) == nil)
        state.park(Self.execute("late", version: 1, sequence: 10), group: "others", at: 1_200)
        #expect(state.nextDeadline(relayTimeout: 1_000, parkedLifetime: 60_000) == 61_200)
        state.relayed(Self.execute("far", version: 1, sequence: 11), at: 3_000)
        state.relayed(Self.execute("near", version: 1, sequence: 12), at: 2_000)
        #expect(state.nextDeadline(relayTimeout: 1_000, parkedLifetime: 60_000) == 3_000)
        _ = state.takeUnacknowledged(now: 3_000, timeout: 1_000, maximumAttempts: 3)
        #expect(state.nextDeadline(relayTimeout: 1_000, parkedLifetime: 60_000) == 4_000)
        _ = state.takeDeliveredRows()
        #expect(!state.hasDeliveredRows)
    }
}
