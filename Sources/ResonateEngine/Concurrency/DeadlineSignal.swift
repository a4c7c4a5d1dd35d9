// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Lets a loop that sleeps towards its next deadline be woken by whoever creates an earlier one: committed
/// transactions wake the timer loop, so timers fire at their deadline instead of at the next periodic scan, and new
/// outbox work wakes the outbox loop, which otherwise sleeps (an idle server does not poll).
final class DeadlineSignal: Sendable {
    private struct State {
        /// The deadline the loop is sleeping towards, if it is sleeping.
        var armed: Int64?
        /// The earliest deadline hinted since the loop last looked.
        var earliestHint: Int64?
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Reports a new deadline (or `Int64.min` to wake the loop unconditionally).
    func hint(_ deadline: Int64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.earliestHint = min(state.earliestHint ?? deadline, deadline)
            guard let armed = state.armed, deadline < armed else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Sleeps until `deadline` or until a hint arrives for an earlier time; returns early on cancellation.
    func wait(until deadline: Int64, clock: any EngineClock) async {
        let effective = state.withLock { state -> Int64 in
            let effective = min(deadline, state.earliestHint ?? deadline)
            state.earliestHint = nil
            state.armed = effective
            return effective
        }
        defer { state.withLock { $0.armed = nil } }
        guard effective > clock.now.milliseconds else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(untilMilliseconds: effective) }
            group.addTask { await self.waitForHint() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForHint() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled || state.armed == nil { return true }
                    if let hint = state.earliestHint, let armed = state.armed, hint < armed { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
