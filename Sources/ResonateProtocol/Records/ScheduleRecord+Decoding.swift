// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension ScheduleRecord {
    /// Decodes a schedule record as a server sends it.
    ///
    /// `id`, `cron`, `promiseId`, `promiseTimeout`, `createdAt` and `nextRunAt` are required; `promiseParam` and
    /// `promiseTags` may be absent or `null` (empty), `lastRunAt` may be absent or `null`. Unknown members are
    /// ignored.
    ///
    /// - Throws: ``ReplyDecodingError`` naming the first missing or malformed field.
    public init(json: JSONValue) throws(ReplyDecodingError) {
        try self.init(reader: ReplyReader(json, path: "", context: "schedule record"))
    }

    init(reader: ReplyReader) throws(ReplyDecodingError) {
        self.init(
            id: try reader.string("id"),
            cron: try reader.string("cron"),
            promiseId: try reader.string("promiseId"),
            promiseTimeout: try reader.integer("promiseTimeout"),
            promiseParam: try reader.value("promiseParam"),
            promiseTags: try reader.stringMap("promiseTags"),
            createdAt: try reader.integer("createdAt"),
            nextRunAt: try reader.integer("nextRunAt"),
            lastRunAt: try reader.optionalInteger("lastRunAt")
        )
    }
}
