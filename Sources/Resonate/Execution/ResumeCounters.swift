// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// What ``TaskRunner`` counts for ``ResumeStatistics``.
final class ResumeCounters: Sendable {
    /// Times an execution of this process was suspended on the server.
    let suspended = Atomic<Int>(0)
    /// Resumes that continued a pass kept in memory.
    let inMemory = Atomic<Int>(0)
    /// Runs from the top of tasks acquired before (resumes of passes not in memory, retries after lost leases).
    let replayed = Atomic<Int>(0)
    /// Held sleeps during which the execution was released from memory (see ``SleepingExecution``).
    let releasedWhileSleeping = Atomic<Int>(0)

    enum Event {
        case suspended, inMemory, replayed, releasedWhileSleeping
    }

    func count(_ event: Event) {
        switch event {
        case .suspended: suspended.wrappingAdd(1, ordering: .relaxed)
        case .inMemory: inMemory.wrappingAdd(1, ordering: .relaxed)
        case .replayed: replayed.wrappingAdd(1, ordering: .relaxed)
        case .releasedWhileSleeping: releasedWhileSleeping.wrappingAdd(1, ordering: .relaxed)
        }
    }
}
