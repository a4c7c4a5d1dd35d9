// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The outcome of an operation: a status and a typed payload, serialised as a response envelope's `data`.
public struct Reply: Sendable, Hashable {
    /// The HTTP status: 200, 300 (`task.suspend` must continue), or an error status.
    public var status: Int
    public var payload: Payload

    public enum Payload: Sendable, Hashable {
        /// `{}`.
        case empty
        /// `[]` (the answer to `debug.tick`).
        case emptyArray
        /// An error message, sent as a JSON string.
        case error(String)
        /// `{"promise":P}`.
        case promise(PromiseRecord)
        /// `{"promises":[P…],"cursor"?:…}`.
        case promises([PromiseRecord], cursor: String?)
        /// `{"task":T}`.
        case task(TaskRecord)
        /// `{"tasks":[T…],"cursor"?:…}`.
        case tasks([TaskRecord], cursor: String?)
        /// `{"task":T,"promise":P,"preload":[P…]}`: the answer to `task.create` and `task.acquire`.
        case taskWithPromise(task: TaskRecord, promise: PromiseRecord, preload: [PromiseRecord])
        /// `{"preload":[P…]}`: the 300 answer to `task.suspend`.
        case preload([PromiseRecord])
        /// `{"action":{…},"preload":[P…]}`: the answer to `task.fence`.
        case fenced(FenceOutcome)
        /// `{"schedule":S}`.
        case schedule(ScheduleRecord)
        /// `{"schedules":[S…],"cursor"?:…}`.
        case schedules([ScheduleRecord], cursor: String?)
        /// The answer to `debug.snap`.
        case snapshot(DebugSnapshot)
    }

    public init(status: Int, payload: Payload) {
        self.status = status
        self.payload = payload
    }

    public static func ok(_ payload: Payload) -> Reply { Reply(status: 200, payload: payload) }

    public init(_ error: RequestError) {
        self.init(status: error.status, payload: .error(error.message))
    }

    /// Whether the status is 2xx or 300 (which `task.suspend` uses for "continue", not for failure).
    public var isSuccess: Bool { status < 400 }

    /// Writes the payload as the response's `data`; `correlationID` is echoed in a fenced action's head.
    public func writeData(to writer: inout JSONWriter, correlationID: String) {
        switch payload {
        case .empty:
            writer.beginObject()
            writer.endObject()
        case .emptyArray:
            writer.beginArray()
            writer.endArray()
        case .error(let message):
            writer.string(message)
        case .promise(let promise):
            writer.beginObject()
            writer.key("promise")
            promise.write(to: &writer)
            writer.endObject()
        case .promises(let promises, let cursor):
            writer.beginObject()
            writer.key("promises")
            PromiseRecord.writeArray(promises, to: &writer)
            if let cursor {
                writer.key("cursor")
                writer.string(cursor)
            }
            writer.endObject()
        case .task(let task):
            writer.beginObject()
            writer.key("task")
            task.write(to: &writer)
            writer.endObject()
        case .tasks(let tasks, let cursor):
            writer.beginObject()
            writer.key("tasks")
            writer.beginArray()
            for task in tasks { task.write(to: &writer) }
            writer.endArray()
            if let cursor {
                writer.key("cursor")
                writer.string(cursor)
            }
            writer.endObject()
        case .taskWithPromise(let task, let promise, let preload):
            writer.beginObject()
            writer.key("task")
            task.write(to: &writer)
            writer.key("promise")
            promise.write(to: &writer)
            writer.key("preload")
            PromiseRecord.writeArray(preload, to: &writer)
            writer.endObject()
        case .preload(let preload):
            writer.beginObject()
            writer.key("preload")
            PromiseRecord.writeArray(preload, to: &writer)
            writer.endObject()
        case .fenced(let outcome):
            outcome.write(to: &writer, correlationID: correlationID)
        case .schedule(let schedule):
            writer.beginObject()
            writer.key("schedule")
            schedule.write(to: &writer)
            writer.endObject()
        case .schedules(let schedules, let cursor):
            writer.beginObject()
            writer.key("schedules")
            writer.beginArray()
            for schedule in schedules { schedule.write(to: &writer) }
            writer.endArray()
            if let cursor {
                writer.key("cursor")
                writer.string(cursor)
            }
            writer.endObject()
        case .snapshot(let snapshot):
            snapshot.write(to: &writer)
        }
    }
}

/// The result of the promise operation inside a `task.fence`.
public struct FenceOutcome: Sendable, Hashable {
    /// `promise.create` or `promise.settle`.
    public var kind: RequestKind
    /// The inner status: 200, or 404 when settling a promise that does not exist.
    public var status: Int
    /// The created or settled promise; `nil` with status 404.
    public var promise: PromiseRecord?
    /// The task's branch preload, computed after the action.
    public var preload: [PromiseRecord]

    public init(kind: RequestKind, status: Int, promise: PromiseRecord?, preload: [PromiseRecord]) {
        self.kind = kind
        self.status = status
        self.promise = promise
        self.preload = preload
    }

    func write(to writer: inout JSONWriter, correlationID: String) {
        writer.beginObject()
        writer.key("action")
        writer.beginObject()
        writer.key("kind")
        writer.string(kind.rawValue)
        writer.key("head")
        writer.beginObject()
        writer.key("corrId")
        writer.string(correlationID)
        writer.key("status")
        writer.integer(status)
        writer.key("version")
        writer.string(ProtocolVersion.current)
        writer.endObject()
        writer.key("data")
        if let promise {
            writer.beginObject()
            writer.key("promise")
            promise.write(to: &writer)
            writer.endObject()
        } else {
            writer.string("Promise not found")
        }
        writer.endObject()
        writer.key("preload")
        PromiseRecord.writeArray(preload, to: &writer)
        writer.endObject()
    }
}
