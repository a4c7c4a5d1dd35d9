// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Message {
    /// Decodes a message pushed by a server (an SSE `data:` payload or an HTTP push body).
    ///
    /// - `{"kind":"execute","head":{"serverUrl"?:…},"data":{"task":{"id":…,"version":…}}}`
    /// - `{"kind":"unblock","head":{},"data":{"promise":{…}}}`
    ///
    /// `head` may be absent and its contents are ignored; unknown members are ignored everywhere.
    ///
    /// - Throws: ``ReplyDecodingError``; a well-formed message of any other kind throws with reason
    ///   ``ReplyDecodingError/Reason/unknownMessageKind`` (see ``ReplyDecodingError/isUnknownMessageKind``), which
    ///   an SDK should ignore rather than treat as a failure.
    public init(json: JSONValue) throws(ReplyDecodingError) {
        let message = try ReplyReader(json, path: "", context: "message")
        let kind = try message.string("kind")
        switch kind {
        case "execute":
            let data = try ReplyReader(members: message.members, path: "", context: "execute message").object("data")
            let task = try data.object("task")
            self = .execute(taskID: try task.string("id"), version: try task.integer("version"))
        case "unblock":
            let data = try ReplyReader(members: message.members, path: "", context: "unblock message").object("data")
            self = .unblock(promise: try data.promise("promise"))
        default:
            throw ReplyDecodingError(
                reason: .unknownMessageKind,
                field: "kind",
                message: "Unknown message kind '\(kind)' (expected 'execute' or 'unblock')"
            )
        }
    }

    /// Parses and decodes a message from its JSON text, such as the `data` of a Server-Sent Event
    /// (`Message(parsing: event.data.utf8)`).
    ///
    /// - Throws: ``ReplyDecodingError`` with reason ``ReplyDecodingError/Reason/malformedJSON`` when the bytes are
    ///   not JSON, otherwise as ``init(json:)``.
    public init(parsing bytes: some Collection<UInt8>) throws(ReplyDecodingError) {
        let document: JSONValue
        do {
            document = try JSONParser().parse(bytes)
        } catch {
            throw ReplyDecodingError(reason: .malformedJSON, message: "Invalid message: \(error.description)")
        }
        try self.init(json: document)
    }
}
