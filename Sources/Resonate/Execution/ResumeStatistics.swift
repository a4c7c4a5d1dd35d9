// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// How the executions this process resumed went on: where they waited, from memory, or from the top, by replay.
///
/// ```swift
/// let statistics = resonate.resumeStatistics
/// print("sticky hit rate", Double(statistics.inMemory) / Double(max(1, statistics.inMemory + statistics.replayed)))
/// ```
public struct ResumeStatistics: Sendable, Equatable {
    /// Times an execution was suspended on the server because everything it did waited on remote promises.
    public var suspended: Int
    /// Resumes that continued an execution kept in memory (see ``Resonate/Configuration/maxParkedExecutions``).
    public var inMemory: Int
    /// Runs from the top of tasks acquired before: resumes of executions not in memory, and retries.
    public var replayed: Int
    /// Suspended executions kept in memory now.
    public var parked: Int
    /// Held sleeps during which the execution was released from memory and then replayed from its records
    /// (see ``Resonate/Configuration/heldSleepHistoryLimit``).
    public var releasedWhileSleeping: Int = 0
}

extension Resonate {
    /// How the executions this process resumed went on so far.
    public var resumeStatistics: ResumeStatistics {
        ResumeStatistics(
            suspended: resumeCounters.suspended.load(ordering: .relaxed),
            inMemory: resumeCounters.inMemory.load(ordering: .relaxed),
            replayed: resumeCounters.replayed.load(ordering: .relaxed),
            parked: parkedCount,
            releasedWhileSleeping: resumeCounters.releasedWhileSleeping.load(ordering: .relaxed)
        )
    }
}
