// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Caps the number of tasks a process executes at once (`maxConcurrentTasks`): the shell of ``TaskSlotsState``.
final class TaskSlots: Sendable {
    private let state: Mutex<TaskSlotsState<CheckedContinuation<Void, Never>>>
    let count: Int

    init(count: Int) {
        let state = TaskSlotsState<CheckedContinuation<Void, Never>>(count: count)
        self.count = state.count
        self.state = Mutex(state)
    }

    /// See ``TaskSlotsState/hasSpareCapacity``.
    var hasSpareCapacity: Bool {
        state.withLock { $0.hasSpareCapacity }
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.acquire(continuation) }) { continuation.resume() }
        }
    }

    func release() {
        state.withLock { $0.release() }?.resume()
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
