// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The server state returned by `debug.snap`, in the shape the reference server's conformance tooling reads.
public struct DebugSnapshot: Sendable, Hashable {
    public var promises: [PromiseRecord]
    /// Background timeouts: every pending promise, at its deadline.
    public var promiseTimeouts: [PromiseTimeout]
    /// Callbacks that are not yet ready.
    public var callbacks: [Callback]
    public var listeners: [Listener]
    public var tasks: [TaskRecord]
    public var taskTimeouts: [TaskTimeoutEntry]
    /// Messages queued in the outbox (paused delivery shows them here).
    public var messages: [QueuedMessage]

    public struct PromiseTimeout: Sendable, Hashable {
        public var id: String
        public var timeout: Int64
        public init(id: String, timeout: Int64) {
            self.id = id
            self.timeout = timeout
        }
    }

    public struct Callback: Sendable, Hashable {
        public var awaited: String
        public var awaiter: String
        public init(awaited: String, awaiter: String) {
            self.awaited = awaited
            self.awaiter = awaiter
        }
    }

    public struct Listener: Sendable, Hashable {
        public var id: String
        public var address: String
        public init(id: String, address: String) {
            self.id = id
            self.address = address
        }
    }

    public struct TaskTimeoutEntry: Sendable, Hashable {
        public var id: String
        /// 0 = retry, 1 = lease.
        public var type: Int
        public var timeout: Int64
        public init(id: String, type: Int, timeout: Int64) {
            self.id = id
            self.type = type
            self.timeout = timeout
        }
    }

    public struct QueuedMessage: Sendable, Hashable {
        public var address: String
        public var message: Message
        public init(address: String, message: Message) {
            self.address = address
            self.message = message
        }
    }

    public init(
        promises: [PromiseRecord],
        promiseTimeouts: [PromiseTimeout],
        callbacks: [Callback],
        listeners: [Listener],
        tasks: [TaskRecord],
        taskTimeouts: [TaskTimeoutEntry],
        messages: [QueuedMessage]
    ) {
        self.promises = promises
        self.promiseTimeouts = promiseTimeouts
        self.callbacks = callbacks
        self.listeners = listeners
        self.tasks = tasks
        self.taskTimeouts = taskTimeouts
        self.messages = messages
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("callbacks")
        writer.beginArray()
        for callback in callbacks {
            writer.beginObject()
            writer.key("awaited")
            writer.string(callback.awaited)
            writer.key("awaiter")
            writer.string(callback.awaiter)
            writer.endObject()
        }
        writer.endArray()
        writer.key("listeners")
        writer.beginArray()
        for listener in listeners {
            writer.beginObject()
            writer.key("address")
            writer.string(listener.address)
            writer.key("id")
            writer.string(listener.id)
            writer.endObject()
        }
        writer.endArray()
        writer.key("messages")
        writer.beginArray()
        for queued in messages {
            writer.beginObject()
            writer.key("address")
            writer.string(queued.address)
            writer.key("message")
            queued.message.write(to: &writer, serverURL: nil)
            writer.endObject()
        }
        writer.endArray()
        writer.key("promiseTimeouts")
        writer.beginArray()
        for timeout in promiseTimeouts {
            writer.beginObject()
            writer.key("id")
            writer.string(timeout.id)
            writer.key("timeout")
            writer.integer(timeout.timeout)
            writer.endObject()
        }
        writer.endArray()
        writer.key("promises")
        PromiseRecord.writeArray(promises, to: &writer)
        writer.key("taskTimeouts")
        writer.beginArray()
        for timeout in taskTimeouts {
            writer.beginObject()
            writer.key("id")
            writer.string(timeout.id)
            writer.key("timeout")
            writer.integer(timeout.timeout)
            writer.key("type")
            writer.integer(timeout.type)
            writer.endObject()
        }
        writer.endArray()
        writer.key("tasks")
        writer.beginArray()
        for task in tasks { task.write(to: &writer) }
        writer.endArray()
        writer.endObject()
    }
}
