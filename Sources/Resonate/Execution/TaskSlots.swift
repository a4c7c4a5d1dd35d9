// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Caps the number of tasks a process executes at once (`maxConcurrentTasks`).
final class TaskSlots: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    let count: Int

    init(count: Int) {
        self.count = max(1, count)
        state = Mutex(State(available: max(1, count)))
    }

    /// Whether at least a quarter of the slots are free and no task waits for one: an execution may then keep
    /// its slot through a short wait without delaying anyone.
    var hasSpareCapacity: Bool {
        state.withLock { $0.waiters.isEmpty && $0.available * 4 >= count }
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}

/// One slot of ``TaskSlots`` held by an execution while it is active: given back while the execution is parked,
/// and taken over from the resumer that continues it.
final class SlotHold: Sendable {
    private let slots: TaskSlots
    private let isHeld = Atomic<Bool>(true)

    /// Holds a slot the caller has acquired.
    init(acquiredFrom slots: TaskSlots) {
        self.slots = slots
    }

    /// Gives the slot back (idempotent).
    func release() {
        if isHeld.exchange(false, ordering: .acquiringAndReleasing) { slots.release() }
    }

    /// Takes over a slot someone else acquired.
    func adopt() {
        if isHeld.exchange(true, ordering: .acquiringAndReleasing) { slots.release() }
    }
}
