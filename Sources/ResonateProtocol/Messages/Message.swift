// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A message the server pushes to an address.
public enum Message: Sendable, Hashable {
    /// A task to acquire: sent for first invocation, resumption, retry, lease expiry, release and continue alike.
    case execute(taskID: String, version: Int64)
    /// A promise the receiver listens to has settled.
    case unblock(promise: PromiseRecord)

    /// The `kind` field of the message.
    public var kind: String {
        switch self {
        case .execute: "execute"
        case .unblock: "unblock"
        }
    }

    /// The task to acquire, for an `execute`.
    public var task: TaskReference? {
        guard case .execute(let taskID, let version) = self else { return nil }
        return TaskReference(id: taskID, version: version)
    }

    /// Writes the message JSON; `serverURL` goes into an execute's head so push workers know where to call back.
    public func write(to writer: inout JSONWriter, serverURL: String?) {
        writer.beginObject()
        writer.key("kind")
        writer.string(kind)
        writer.key("head")
        writer.beginObject()
        if case .execute = self, let serverURL {
            writer.key("serverUrl")
            writer.string(serverURL)
        }
        writer.endObject()
        writer.key("data")
        writer.beginObject()
        switch self {
        case .execute(let taskID, let version):
            writer.key("task")
            writer.beginObject()
            writer.key("id")
            writer.string(taskID)
            writer.key("version")
            writer.integer(version)
            writer.endObject()
        case .unblock(let promise):
            writer.key("promise")
            promise.write(to: &writer)
        }
        writer.endObject()
        writer.endObject()
    }

    /// The message as JSON bytes.
    public func json(serverURL: String?) -> [UInt8] {
        var writer = JSONWriter()
        write(to: &writer, serverURL: serverURL)
        return writer.bytes
    }
}
