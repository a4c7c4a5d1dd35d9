// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule

/// The free slots of ``TaskSlots`` and the tasks queued for one, as a state machine: acquiring either grants a
/// slot or queues the waiter; releasing hands the slot to the longest waiter, or frees it.
///
/// Generic over its waiters so that tests can drive it with plain values; ``TaskSlots`` uses continuations.
struct TaskSlotsState<Waiter> {
    let count: Int
    private(set) var available: Int
    private var waiters = Deque<Waiter>()

    init(count: Int) {
        self.count = max(1, count)
        available = self.count
    }

    /// `true`: the slot is the caller's now; `false`: `waiter` is queued and gets one from a ``release()``.
    mutating func acquire(_ waiter: Waiter) -> Bool {
        guard available > 0 else {
            waiters.append(waiter)
            return false
        }
        available -= 1
        return true
    }

    /// Gives a slot back; returns the waiter that takes it over, if one is queued (the slot stays taken).
    mutating func release() -> Waiter? {
        if let next = waiters.popFirst() { return next }
        available = min(count, available + 1)
        return nil
    }

    /// Whether at least a quarter of the slots are free and nobody is queued: an execution may then keep its slot
    /// through a short wait without delaying anyone.
    var hasSpareCapacity: Bool { waiters.isEmpty && available * 4 >= count }

    var waiting: Int { waiters.count }
}
