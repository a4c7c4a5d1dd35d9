// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension TaskRecord {
    /// Decodes a task record as a server sends it.
    ///
    /// `id`, `state` and `version` are required; `resumes` defaults to 0 when absent or `null` (the Python SDK's
    /// simulator omits it); `ttl` and `pid` may be absent or `null`. Unknown members (the simulator's `promiseId`)
    /// are ignored.
    ///
    /// - Throws: ``ReplyDecodingError`` naming the first missing or malformed field.
    public init(json: JSONValue) throws(ReplyDecodingError) {
        try self.init(reader: ReplyReader(json, path: "", context: "task record"))
    }

    init(reader: ReplyReader) throws(ReplyDecodingError) {
        self.init(
            id: try reader.string("id"),
            state: try reader.enumeration("state", as: TaskState.self),
            version: try reader.integer("version"),
            resumes: try reader.optionalInteger("resumes") ?? 0,
            ttl: try reader.optionalInteger("ttl"),
            pid: try reader.optionalString("pid")
        )
    }
}

extension ReplyReader {
    /// The task record in member `key`.
    func task(_ key: String) throws(ReplyDecodingError) -> TaskRecord {
        try TaskRecord(reader: try object(key))
    }
}
