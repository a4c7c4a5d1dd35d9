// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The lifecycle state of a task, the leasable unit of work attached to a promise with a `resonate:target`.
public enum TaskState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for a worker to acquire it.
    case pending
    /// Leased by a process until its lease expires.
    case acquired
    /// Waiting for promises it registered callbacks on.
    case suspended
    /// Paused by an operator; `task.continue` resumes it.
    case halted
    /// Final: its promise is settled.
    case fulfilled
}
