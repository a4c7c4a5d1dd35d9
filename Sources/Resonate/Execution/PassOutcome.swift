// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// How one pass over a task's function ended.
enum PassOutcome: Sendable {
    /// The function finished: settle the task's promise with this result (a rejection value on failure).
    case completed(resolved: Bool, value: Value)
    /// The function waits on these promises: suspend the task on all of them.
    case suspended(awaiting: [String])
    /// The platform failed: release the task so it runs again.
    case failed(any Error)
    /// The task was suspended and the pass given up afterwards (see ``PassState``): nothing left to tell the server.
    case abandoned
    /// The function unwound to hold a sleep as data: the task keeps its lease, and a new pass replays `history`
    /// once the sleep ends.
    case sleeping(PassState.HeldSleep, history: [PromiseRecord])
}
