// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// What one timer pass did.
public struct TimerPassResult: Sendable, Hashable {
    /// Promises settled because their deadline passed.
    public var timedOutPromises = 0
    /// Pending tasks whose `execute` was sent again.
    public var retriedTasks = 0
    /// Acquired tasks whose lease expired.
    public var expiredLeases = 0
    /// Schedule occurrences fired.
    public var firedSchedules = 0
    /// How late the timed-out promises were processed, in milliseconds.
    public var promiseLateness: [Int64] = []
    /// Whether a batch limit was reached, so another pass should follow right away.
    public var hasMore = false

    public init() {}
}

extension Transition {
    /// One pass over everything due at `now` (PROTOCOL §3.3, §2.8, §5.4): promise timeouts, then task retries
    /// and lease expiries, then schedule firings.
    ///
    /// Every pending promise times out at its deadline, with or without a `resonate:target`. The reference server
    /// times out target-less promises only when a request names them (PROTOCOL §12.4), so a workflow awaiting a
    /// latent promise (`ctx.promise()`) past its deadline would never resume; here it resumes and sees the timeout.
    func processTimers(batchSize: Int) async throws -> TimerPassResult {
        var result = TimerPassResult()
        let promises = try await transaction.expiredPromises(at: now, limit: batchSize)
        for promise in promises {
            // Re-read: an earlier settlement in this pass may have reached it through a chain.
            guard let current = try await transaction.promise(id: promise.id), current.state == .pending else {
                continue
            }
            _ = try await settle(current, state: current.timeoutState, value: .empty, settledAt: current.timeoutAt)
            result.timedOutPromises += 1
            result.promiseLateness.append(now - current.timeoutAt)
        }
        let tasks = try await transaction.expiredTasks(at: now, limit: batchSize)
        for expired in tasks {
            guard var task = try await transaction.task(id: expired.id), let timeout = task.timeout, timeout.at <= now
            else { continue }
            switch (timeout.kind, task.state) {
            case (.retry, .pending):
                try await retry(&task)
                result.retriedTasks += 1
            case (.lease, .acquired):
                try await makePending(&task)
                result.expiredLeases += 1
            default:
                // A timer that no longer matches the task's state is stale: drop it.
                task.timeout = nil
                try await transaction.updateTask(task)
            }
        }
        let schedules = try await transaction.dueSchedules(at: now, limit: batchSize)
        for schedule in schedules {
            try await fire(schedule)
            result.firedSchedules += 1
        }
        result.hasMore = promises.count == batchSize || tasks.count == batchSize || schedules.count == batchSize
        // Schedules that are still behind (catching up missed runs) need another pass too.
        if !result.hasMore, let next = try await transaction.nextDeadline(), next <= now {
            result.hasMore = true
        }
        return result
    }

    /// Sends `execute` again, now rather than at their retry time, for the tasks still pending at the given
    /// versions; returns how many. For messages handed to a connection that ended before its process acquired them:
    /// a task acquired, settled or dispatched again since (a newer version) is left alone.
    func retryUnacquired(_ references: [TaskReference]) async throws -> Int {
        var retried = 0
        for reference in references {
            guard var task = try await transaction.task(id: reference.id), task.state == .pending,
                task.version == reference.version
            else { continue }
            try await retry(&task)
            retried += 1
        }
        return retried
    }

    /// Sends a pending task's `execute` to its promise's target (no process preferred) and sets its next retry.
    private func retry(_ task: inout TaskRow) async throws {
        task.timeout = .retry(at: now + retryTimeout)
        try await transaction.updateTask(task)
        effects.noteDeadline(now + retryTimeout)
        try await sendExecute(task)
    }
}
