// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The tasks this process holds: their leases, renewed by heartbeats; the slots they take (`maxConcurrentTasks`);
/// and the durable sleeps they wait out in the process rather than suspending.
final class HeldTasks: Sendable {
    /// The leases to renew.
    let heartbeats = Heartbeats()
    /// The task slots of this process.
    let slots: TaskSlots
    /// The durable sleeps executions of this process are waiting on now (see ``TaskRunner/acquireAndRun``).
    let sleeping = Mutex<Set<String>>([])
    /// Sleeps up to this long, in milliseconds, are held in the process (``Resonate/Configuration/heldSleepLimit``).
    let heldSleepLimit: Int64
    /// Executions with at most this many records are released from memory while they hold a sleep
    /// (``Resonate/Configuration/heldSleepHistoryLimit``).
    let heldSleepHistoryLimit: Int

    init(maxConcurrentTasks: Int, heldSleepLimit: Int64, heldSleepHistoryLimit: Int) {
        slots = TaskSlots(count: maxConcurrentTasks)
        self.heldSleepLimit = heldSleepLimit
        self.heldSleepHistoryLimit = heldSleepHistoryLimit
    }
}
