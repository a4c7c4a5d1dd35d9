// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Value {
    /// Decodes a `{"headers"?:{…},"data"?:"…"}` value; `null` (as the Python SDK's simulator sends for an unset
    /// value) decodes as ``empty``. Unknown members are ignored; `null` members count as absent.
    ///
    /// - Throws: ``ReplyDecodingError`` naming the field that is not an object or a string.
    public init(json: JSONValue) throws(ReplyDecodingError) {
        if case .null = json {
            self = .empty
            return
        }
        try self.init(reader: ReplyReader(json, path: "", context: "value"))
    }

    init(reader: ReplyReader) throws(ReplyDecodingError) {
        self.init(headers: try reader.optionalStringMap("headers"), data: try reader.optionalString("data"))
    }
}
