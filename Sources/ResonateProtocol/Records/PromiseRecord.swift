// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A durable promise as it appears on the wire.
///
/// ```json
/// {"id":"wf","state":"pending","param":{"data":"eyJ..."},"value":{},"tags":{"resonate:target":"poll://any@workers"},
///  "timeoutAt":1795324813119,"createdAt":1795238413119}
/// ```
public struct PromiseRecord: Sendable, Hashable {
    public var id: String { didSet { encodedJSON = nil } }
    public var state: PromiseState { didSet { encodedJSON = nil } }
    /// Set at creation and never changed.
    public var param: Value { didSet { encodedJSON = nil } }
    /// Set at settlement; `{}` while pending and for timeouts.
    public var value: Value { didSet { encodedJSON = nil } }
    /// Set at creation and never changed.
    public var tags: [String: String] { didSet { encodedJSON = nil } }
    /// The absolute deadline, in milliseconds since the Unix epoch.
    public var timeoutAt: Int64 { didSet { encodedJSON = nil } }
    public var createdAt: Int64 { didSet { encodedJSON = nil } }
    /// When the promise settled; equals ``timeoutAt`` when it settled by timing out.
    public var settledAt: Int64? { didSet { encodedJSON = nil } }
    /// The record's wire JSON when it was rendered ahead (``encoded()``), so writing it is a copy; any change to
    /// the record drops it. Not part of the record's value: equality and hashing ignore it.
    private var encodedJSON: [UInt8]?

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
        if let encodedJSON {
            writer.raw(encodedJSON)
        } else {
            write(to: &writer) { value, writer in value.write(to: &writer) }
        }
    }

    /// This record with its wire JSON rendered, so that writing it again copies bytes instead of encoding.
    ///
    /// A store that keeps records between requests (a branch's preload, read again by every `task.fence` of a long
    /// execution) renders them once with this.
    public func encoded() -> PromiseRecord {
        guard encodedJSON == nil else { return self }
        var writer = JSONWriter(capacity: 256)
        write(to: &writer)
        var copy = self
        copy.encodedJSON = writer.bytes
        return copy
    }

    /// Writes `records` as a JSON array.
    ///
    /// A long branch's preload is mostly records rendered ahead, so this reads each one's rendered JSON in place:
    /// copying the records out of the array, as a `for` loop over it does, would retain and release every field
    /// of every record only to copy its bytes.
    public static func writeArray(_ records: [PromiseRecord], to writer: inout JSONWriter) {
        writer.beginArray()
        records.withUnsafeBufferPointer { buffer in
            // One allocation of the right size up front: a growing buffer would copy a long preload several times.
            var rendered = buffer.count + 64  // the separators and what closes the document
            for index in buffer.indices { rendered += buffer[index].encodedJSON?.count ?? 0 }
            writer.reserveCapacity(additional: rendered)
            for index in buffer.indices {
                if let json = buffer[index].encodedJSON {
                    writer.raw(json)
                } else {
                    buffer[index].write(to: &writer)
                }
            }
        }
        writer.endArray()
    }

    /// The size of the rendered wire JSON, if ``encoded()`` rendered it.
    public var encodedByteCount: Int? { encodedJSON?.count }

    public static func == (lhs: PromiseRecord, rhs: PromiseRecord) -> Bool {
        lhs.id == rhs.id && lhs.state == rhs.state && lhs.param == rhs.param && lhs.value == rhs.value
            && lhs.tags == rhs.tags && lhs.timeoutAt == rhs.timeoutAt && lhs.createdAt == rhs.createdAt
            && lhs.settledAt == rhs.settledAt
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(state)
        hasher.combine(param)
        hasher.combine(value)
        hasher.combine(tags)
        hasher.combine(timeoutAt)
        hasher.combine(createdAt)
        hasher.combine(settledAt)
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
