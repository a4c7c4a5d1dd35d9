// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A cron schedule that creates a promise at every occurrence.
public struct ScheduleRecord: Sendable, Hashable {
    public var id: String
    public var cron: String
    /// Template of the created promises' ids; `{{.id}}` and `{{.timestamp}}` are substituted.
    public var promiseId: String
    /// Relative timeout of created promises, in milliseconds.
    public var promiseTimeout: Int64
    public var promiseParam: Value
    public var promiseTags: [String: String]
    public var createdAt: Int64
    public var nextRunAt: Int64
    public var lastRunAt: Int64?

    public init(
        id: String,
        cron: String,
        promiseId: String,
        promiseTimeout: Int64,
        promiseParam: Value = .empty,
        promiseTags: [String: String],
        createdAt: Int64,
        nextRunAt: Int64,
        lastRunAt: Int64? = nil
    ) {
        self.id = id
        self.cron = cron
        self.promiseId = promiseId
        self.promiseTimeout = promiseTimeout
        self.promiseParam = promiseParam
        self.promiseTags = promiseTags
        self.createdAt = createdAt
        self.nextRunAt = nextRunAt
        self.lastRunAt = lastRunAt
    }

    /// The id of the promise created by the firing at `timestamp` (ms).
    public func promiseID(firedAt timestamp: Int64) -> String {
        promiseId
            .replacing("{{.id}}", with: id)
            .replacing("{{.timestamp}}", with: String(timestamp))
    }

    public func write(to writer: inout JSONWriter) {
        write(to: &writer) { value, writer in value.write(to: &writer) }
    }

    /// Writes the record with `writeValue` writing `promiseParam` (a client may show it decoded).
    public func write(to writer: inout JSONWriter, writeValue: (Value, inout JSONWriter) -> Void) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("cron")
        writer.string(cron)
        writer.key("promiseId")
        writer.string(promiseId)
        writer.key("promiseTimeout")
        writer.integer(promiseTimeout)
        writer.key("promiseParam")
        writeValue(promiseParam, &writer)
        writer.key("promiseTags")
        writer.stringMap(promiseTags)
        writer.key("createdAt")
        writer.integer(createdAt)
        writer.key("nextRunAt")
        writer.integer(nextRunAt)
        if let lastRunAt {
            writer.key("lastRunAt")
            writer.integer(lastRunAt)
        }
        writer.endObject()
    }
}
