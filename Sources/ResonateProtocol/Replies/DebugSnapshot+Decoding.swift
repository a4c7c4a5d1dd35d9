// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension DebugSnapshot {
    /// Decodes the `data` of a `debug.snap` response. Each of the seven arrays may be absent or `null` (empty);
    /// unknown members are ignored.
    ///
    /// - Throws: ``ReplyDecodingError`` naming the first missing or malformed field.
    public init(json: JSONValue) throws(ReplyDecodingError) {
        try self.init(reader: ReplyReader(json, path: "", context: "debug snapshot"))
    }

    init(reader: ReplyReader) throws(ReplyDecodingError) {
        self.init(
            promises: try reader.promises("promises", required: false),
            promiseTimeouts: try reader.objects("promiseTimeouts", required: false) {
                entry throws(ReplyDecodingError) in
                PromiseTimeout(id: try entry.string("id"), timeout: try entry.integer("timeout"))
            },
            callbacks: try reader.objects("callbacks", required: false) { entry throws(ReplyDecodingError) in
                Callback(awaited: try entry.string("awaited"), awaiter: try entry.string("awaiter"))
            },
            listeners: try reader.objects("listeners", required: false) { entry throws(ReplyDecodingError) in
                Listener(id: try entry.string("id"), address: try entry.string("address"))
            },
            tasks: try reader.objects("tasks", required: false) { entry throws(ReplyDecodingError) in
                try TaskRecord(reader: entry)
            },
            taskTimeouts: try reader.objects("taskTimeouts", required: false) { entry throws(ReplyDecodingError) in
                TaskTimeoutEntry(
                    id: try entry.string("id"),
                    type: Int(clamping: try entry.integer("type")),
                    timeout: try entry.integer("timeout")
                )
            },
            messages: try reader.objects("messages", required: false) { entry throws(ReplyDecodingError) in
                QueuedMessage(address: try entry.string("address"), message: try entry.message("message"))
            }
        )
    }
}

extension ReplyReader {
    /// The message in member `key`, with errors reported at this reader's path.
    func message(_ key: String) throws(ReplyDecodingError) -> Message {
        guard let value = present(key) else { throw missing(key) }
        do {
            return try Message(json: value)
        } catch {
            let inner = error.field.map { "\(fieldName(key)).\($0)" } ?? fieldName(key)
            throw ReplyDecodingError(
                reason: error.reason == .unknownMessageKind ? .invalidField : error.reason,
                field: inner,
                message: "Invalid \(context): in field '\(fieldName(key))': \(error.message)"
            )
        }
    }
}
