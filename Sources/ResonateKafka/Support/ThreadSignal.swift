// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateThreads

/// Wakes one waiting thread (not a task: the waiter blocks), from any thread or task.
///
/// A signal sent while nobody waits is kept, so the next wait returns at once: a waiter that checked its
/// condition just before the signal does not sleep through it.
///
/// `@unchecked Sendable`: `isSignaled` is guarded by `condition`.
final class ThreadSignal: @unchecked Sendable {
    private let condition = ConditionLock()
    private var isSignaled = false

    func signal() {
        condition.lock()
        isSignaled = true
        condition.signal()
        condition.unlock()
    }

    /// Blocks until a signal arrives or `deadline` passes.
    func wait(until deadline: ContinuousClock.Instant) {
        condition.lock()
        defer { condition.unlock() }
        while !isSignaled {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return }
            condition.wait(for: remaining)
        }
        isSignaled = false
    }
}
