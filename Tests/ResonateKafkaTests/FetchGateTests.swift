// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateKafka

@Suite("Fetch gate: when a consumer pauses and resumes fetching")
struct FetchGateTests {
    @Test(
        "transitions by buffered count",
        arguments: [
            // (paused before, buffered, action, paused after) with a capacity of 8 (resumes at 4)
            (false, 0, nil, false),
            (false, 7, nil, false),
            (false, 8, FetchGate.Action.pause, true),
            (false, 12, .pause, true),
            (true, 8, nil, true),
            (true, 5, nil, true),
            (true, 4, .resume, false),
            (true, 0, .resume, false),
        ] as [(Bool, Int, FetchGate.Action?, Bool)]
    )
    func transitions(pausedBefore: Bool, buffered: Int, action: FetchGate.Action?, pausedAfter: Bool) {
        var gate = FetchGate(capacity: 8)
        if pausedBefore { #expect(gate.update(buffered: 8) == .pause) }
        #expect(gate.update(buffered: buffered) == action)
        #expect(gate.isPaused == pausedAfter)
    }

    @Test("a buffer filled and drained repeatedly pauses and resumes once per cycle, not per message")
    func hysteresis() {
        var gate = FetchGate(capacity: 100)
        var actions: [FetchGate.Action] = []
        for _ in 0..<3 {
            for buffered in 0...100 { gate.update(buffered: buffered).map { actions.append($0) } }
            for buffered in (0...100).reversed() { gate.update(buffered: buffered).map { actions.append($0) } }
        }
        #expect(actions == [.pause, .resume, .pause, .resume, .pause, .resume])
    }

    @Test("a capacity below one is treated as one")
    func minimumCapacity() {
        var gate = FetchGate(capacity: 0)
        #expect(gate.update(buffered: 1) == .pause)
        #expect(gate.update(buffered: 0) == .resume)
    }
}
