// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// A stored task: its wire fields plus the one timer a task can have.
public struct TaskRow: Sendable, Hashable {
    public var id: String
    public var state: TaskState
    public var version: Int64
    /// The leasing process, while acquired.
    public var pid: String?
    /// The lease length in milliseconds, while acquired.
    public var ttl: Int64?
    /// The pending task's retry time, or the acquired task's lease expiry.
    public var timeout: TaskTimeout?
    /// Whether the last process to acquire the task runs cleanup executions: a cancellation of the task's promise
    /// then starts one (see ``Request/cleanupHeadField``). Not part of the protocol's task.
    public var wantsCleanup: Bool

    public init(
        id: String,
        state: TaskState,
        version: Int64,
        pid: String? = nil,
        ttl: Int64? = nil,
        timeout: TaskTimeout? = nil,
        wantsCleanup: Bool = false
    ) {
        self.id = id
        self.state = state
        self.version = version
        self.pid = pid
        self.ttl = ttl
        self.timeout = timeout
        self.wantsCleanup = wantsCleanup
    }

    /// The wire record, given the number of ready callbacks.
    /// The task as the protocol shows it: `pid` only while acquired (a suspended row keeps its last holder's pid,
    /// for the routing of its resume, but that is not part of the protocol).
    public func record(resumes: Int64) -> TaskRecord {
        TaskRecord(
            id: id, state: state, version: version, resumes: resumes, ttl: ttl, pid: state == .acquired ? pid : nil)
    }
}

/// The timer attached to a task.
public struct TaskTimeout: Sendable, Hashable {
    public enum Kind: Int, Sendable, Hashable {
        /// While pending: re-send `execute` when it fires.
        case retry = 0
        /// While acquired: the lease expires when it fires.
        case lease = 1
    }

    public var kind: Kind
    /// Milliseconds since the Unix epoch.
    public var at: Int64

    public init(kind: Kind, at: Int64) {
        self.kind = kind
        self.at = at
    }

    public static func retry(at time: Int64) -> TaskTimeout { TaskTimeout(kind: .retry, at: time) }
    public static func lease(at time: Int64) -> TaskTimeout { TaskTimeout(kind: .lease, at: time) }
}
