// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import Resonate

@Suite("Task slots: who gets a slot, who waits, and when a short wait may keep one")
struct TaskSlotsStateTests {
    enum Step: Sendable, CustomStringConvertible {
        case acquire(Int), release

        var description: String {
            switch self {
            case .acquire(let waiter): "acquire(\(waiter))"
            case .release: "release"
            }
        }
    }

    /// What a step returned: a slot granted or queued, or the waiter a release handed its slot to.
    enum Result: Equatable, Sendable {
        case granted, queued, freed, handedTo(Int)
    }

    @Test(
        "acquire and release, in order",
        arguments: [
            // (slots, steps, what each step returned, free slots after, waiting after, spare capacity after)
            (2, [Step.acquire(1), .acquire(2)], [Result.granted, .granted], 0, 0, false),
            (2, [.acquire(1), .acquire(2), .acquire(3)], [.granted, .granted, .queued], 0, 1, false),
            // A release goes to the longest waiter first, and the slot stays taken.
            (
                1, [.acquire(1), .acquire(2), .acquire(3), .release, .release],
                [.granted, .queued, .queued, .handedTo(2), .handedTo(3)], 0, 0, false
            ),
            (1, [.acquire(1), .release], [.granted, .freed], 1, 0, true),
            // A quarter free is spare; less is not.
            (4, [.acquire(1), .acquire(2), .acquire(3)], [.granted, .granted, .granted], 1, 0, true),
            (8, Array(repeating: Step.acquire(0), count: 7), Array(repeating: Result.granted, count: 7), 1, 0, false),
            // Releasing more than was taken never makes more slots than configured.
            (2, [.release, .release], [.freed, .freed], 2, 0, true),
            // Zero slots configured is one.
            (0, [.acquire(1), .acquire(2)], [.granted, .queued], 0, 1, false),
        ] as [(Int, [Step], [Result], Int, Int, Bool)]
    )
    func steps(slots: Int, steps: [Step], results: [Result], available: Int, waiting: Int, spare: Bool) {
        var state = TaskSlotsState<Int>(count: slots)
        var returned: [Result] = []
        for step in steps {
            switch step {
            case .acquire(let waiter):
                returned.append(state.acquire(waiter) ? .granted : .queued)
            case .release:
                returned.append(state.release().map(Result.handedTo) ?? .freed)
            }
        }

        #expect(returned == results)
        #expect(state.available == available)
        #expect(state.waiting == waiting)
        #expect(state.hasSpareCapacity == spare)
    }
}
