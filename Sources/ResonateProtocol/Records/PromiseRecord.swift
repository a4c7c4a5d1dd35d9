// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A durable promise as it appears on the wire.
///
/// ```json
/// {"id":"wf","state":"pending","param":{"data":"eyJ..."},"value":{},"tags":{"resonate:target":"poll://any@workers"},
///  "timeoutAt":1795324813119,"createdAt":1795238413119}
/// ```
public struct PromiseRecord: Sendable, Hashable {
    public var id: String
    public var state: PromiseState
    /// Set at creation and never changed.
    public var param: Value
    /// Set at settlement; `{}` while pending and for timeouts.
    public var value: Value
    /// Set at creation and never changed.
    public var tags: [String: String]
    /// The absolute deadline, in milliseconds since the Unix epoch.
    public var timeoutAt: Int64
    public var createdAt: Int64
    /// When the promise settled; equals ``timeoutAt`` when it settled by timing out.
    public var settledAt: Int64?

    public init(
        id: String,
        state: PromiseState,
        param: Value = .empty,
        value: Value = .empty,
        tags: [String: String] = [:],
        timeoutAt: Int64,
        createdAt: Int64,
        settledAt: Int64? = nil
    ) {
        self.id = id
        self.state = state
        self.param = param
        self.value = value
        self.tags = tags
        self.timeoutAt = timeoutAt
        self.createdAt = createdAt
        self.settledAt = settledAt
    }

    /// The delivery address of the promise's task, if it has one (`resonate:target`).
    public var target: String? { tags[Tag.target] }

    /// Whether the promise resolves (rather than times out) when its deadline passes (`resonate:timer`).
    public var isTimer: Bool { tags[Tag.timer] == "true" }

    /// The state a pending promise takes when its deadline passes.
    public var timeoutState: PromiseState { isTimer ? .resolved : .rejectedTimedOut }

    public func write(to writer: inout JSONWriter) {
        write(to: &writer) { value, writer in value.write(to: &writer) }
    }

    /// Writes the record with `writeValue` writing `param` and `value` (a client may show them decoded).
    public func write(to writer: inout JSONWriter, writeValue: (Value, inout JSONWriter) -> Void) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("state")
        writer.string(state.rawValue)
        writer.key("param")
        writeValue(param, &writer)
        writer.key("value")
        writeValue(value, &writer)
        writer.key("tags")
        writer.stringMap(tags)
        writer.key("timeoutAt")
        writer.integer(timeoutAt)
        writer.key("createdAt")
        writer.integer(createdAt)
        if let settledAt {
            writer.key("settledAt")
            writer.integer(settledAt)
        }
        writer.endObject()
    }
}
