// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateThreads
import Synchronization

/// A task executor backed by one dedicated thread.
///
/// SQLite calls block: a commit waits for `fsync`. Running them on the cooperative pool would stall unrelated
/// tasks (the pool has one thread per core), so each SQLite connection is driven from its own thread, and async
/// code that touches it runs there through `withTaskExecutorPreference(_:operation:)`.
///
/// `@unchecked Sendable`: all mutable state is the job queue, guarded by `condition`.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = ConditionLock()
    private var jobs: [UnownedJob] = []
    private var isShutdown = false

    init(name: String) {
        // The thread holds the executor until `shutdown()` lets its loop end, so an executor released by its
        // owner never disappears under a running thread.
        DedicatedThread.start(name: name, stackSize: 4 << 20) { [self] in self.runLoop() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    /// Stops the thread once the queued jobs have run.
    func shutdown() {
        condition.lock()
        isShutdown = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !isShutdown { condition.wait() }
            if jobs.isEmpty && isShutdown {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
