// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension PromiseRecord {
    /// Decodes a promise record as a server sends it.
    ///
    /// `id`, `state`, `timeoutAt` and `createdAt` are required. `param` and `value` may be absent or `null` (both
    /// give ``Value/empty``), `tags` may be absent or `null` (no tags), `settledAt` may be absent or `null`.
    /// Unknown members are ignored.
    ///
    /// - Throws: ``ReplyDecodingError`` naming the first missing or malformed field.
    public init(json: JSONValue) throws(ReplyDecodingError) {
        try self.init(reader: ReplyReader(json, path: "", context: "promise record"))
    }

    init(reader: ReplyReader) throws(ReplyDecodingError) {
        self.init(
            id: try reader.string("id"),
            state: try reader.enumeration("state", as: PromiseState.self),
            param: try reader.value("param"),
            value: try reader.value("value"),
            tags: try reader.stringMap("tags"),
            timeoutAt: try reader.integer("timeoutAt"),
            createdAt: try reader.integer("createdAt"),
            settledAt: try reader.optionalInteger("settledAt")
        )
    }
}

extension ReplyReader {
    /// The promise record in member `key`.
    func promise(_ key: String) throws(ReplyDecodingError) -> PromiseRecord {
        try PromiseRecord(reader: try object(key))
    }

    /// The array of promise records in member `key`; when `required` is false a missing member is empty.
    func promises(_ key: String, required: Bool = true) throws(ReplyDecodingError) -> [PromiseRecord] {
        try objects(key, required: required) { reader throws(ReplyDecodingError) in
            try PromiseRecord(reader: reader)
        }
    }
}
