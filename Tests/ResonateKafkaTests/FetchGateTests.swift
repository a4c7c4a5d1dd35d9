// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateKafka

@Suite("Fetch gate: when a consumer waits for room, pauses and resumes fetching")
struct FetchGateTests {
    static let start = ContinuousClock.now

    /// A gate of capacity 8 (resumes at 4) that pauses after the buffer stayed full for 1 s.
    static func gate(paused: Bool) -> FetchGate {
        var gate = FetchGate(capacity: 8, pauseAfter: .seconds(1))
        if paused {
            _ = gate.next(buffered: 8, now: start)
            _ = gate.next(buffered: 8, now: start + .seconds(1))
        }
        return gate
    }

    @Test(
        "transitions by buffered count, right after the buffer filled",
        arguments: [
            // (paused before, buffered, step, paused after)
            (false, 0, FetchGate.Step.poll, false),
            (false, 7, .poll, false),
            (false, 8, .waitForRoom(until: start + .seconds(1)), false),
            (false, 12, .waitForRoom(until: start + .seconds(1)), false),
            (true, 8, .poll, true),
            (true, 5, .poll, true),
            (true, 4, .resume, false),
            (true, 0, .resume, false),
        ] as [(Bool, Int, FetchGate.Step, Bool)]
    )
    func transitions(pausedBefore: Bool, buffered: Int, step: FetchGate.Step, pausedAfter: Bool) {
        var gate = Self.gate(paused: pausedBefore)
        #expect(gate.isPaused == pausedBefore)
        #expect(gate.next(buffered: buffered, now: Self.start) == step)
        #expect(gate.isPaused == pausedAfter)
    }

    @Test("a full buffer pauses only once it has stayed full for the whole delay")
    func pausesAfterTheDelay() {
        var gate = FetchGate(capacity: 8, pauseAfter: .seconds(1))
        let deadline = Self.start + .seconds(1)
        #expect(gate.next(buffered: 8, now: Self.start) == .waitForRoom(until: deadline))
        #expect(gate.next(buffered: 8, now: Self.start + .milliseconds(999)) == .waitForRoom(until: deadline))
        #expect(gate.next(buffered: 8, now: deadline) == .pause)
        #expect(gate.isPaused)
    }

    @Test("room made before the delay ends restarts it: a steadily slow reader never causes a pause")
    func roomRestartsTheDelay() {
        var gate = FetchGate(capacity: 8, pauseAfter: .seconds(1))
        var steps: [FetchGate.Step] = []
        // Every 600 ms the reader takes one message, and the poll thread takes the next one at once.
        for tick in 0..<20 {
            let now = Self.start + .milliseconds(600 * tick)
            steps.append(gate.next(buffered: 8, now: now))
            steps.append(gate.next(buffered: 7, now: now + .milliseconds(1)))
        }
        #expect(!steps.contains(.pause))
        #expect(steps.filter { $0 == .poll }.count == 20)
    }

    @Test("a buffer filled and drained repeatedly pauses and resumes once per cycle, not per message")
    func hysteresis() {
        var gate = FetchGate(capacity: 100, pauseAfter: .zero)
        var steps: [FetchGate.Step] = []
        for _ in 0..<3 {
            for buffered in 0...100 { steps.append(gate.next(buffered: buffered, now: Self.start)) }
            for buffered in (0...100).reversed() { steps.append(gate.next(buffered: buffered, now: Self.start)) }
        }
        #expect(steps.filter { $0 != .poll } == [.pause, .resume, .pause, .resume, .pause, .resume])
    }

    @Test("a capacity below one is treated as one")
    func minimumCapacity() {
        var gate = FetchGate(capacity: 0, pauseAfter: .zero)
        #expect(gate.next(buffered: 1, now: Self.start) == .pause)
        #expect(gate.next(buffered: 0, now: Self.start) == .resume)
    }
}
