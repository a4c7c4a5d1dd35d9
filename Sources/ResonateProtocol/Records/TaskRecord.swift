// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A task as it appears on the wire: `{"id":"wf","state":"acquired","version":1,"resumes":0,"ttl":60000,"pid":"p1"}`.
public struct TaskRecord: Sendable, Hashable {
    public var id: String
    public var state: TaskState
    /// The fencing token: only acquisition increments it.
    public var version: Int64
    /// The number of awaited promises that settled while the task was not suspended.
    public var resumes: Int64
    /// Lease length in milliseconds; present only while acquired.
    public var ttl: Int64?
    /// The leasing process; present only while acquired.
    public var pid: String?

    public init(id: String, state: TaskState, version: Int64, resumes: Int64 = 0, ttl: Int64? = nil, pid: String? = nil)
    {
        self.id = id
        self.state = state
        self.version = version
        self.resumes = resumes
        self.ttl = ttl
        self.pid = pid
    }

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("state")
        writer.string(state.rawValue)
        writer.key("version")
        writer.integer(version)
        writer.key("resumes")
        writer.integer(resumes)
        if let ttl {
            writer.key("ttl")
            writer.integer(ttl)
        }
        if let pid {
            writer.key("pid")
            writer.string(pid)
        }
        writer.endObject()
    }
}
