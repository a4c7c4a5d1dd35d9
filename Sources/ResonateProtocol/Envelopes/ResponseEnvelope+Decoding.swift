// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension ResponseEnvelope {
    /// Parses a response body `{"kind":…,"head":{"corrId":…,"status":…,"version":…},"data":…}`.
    ///
    /// `kind` and `head.corrId` must be strings, `head.status` an integer, and `data` present (any JSON value,
    /// `null` included). `head.version` and unknown members are not checked, so that a reply to a request with an
    /// unsupported version can still be read.
    ///
    /// - Throws: ``ReplyDecodingError`` with reason ``ReplyDecodingError/Reason/malformedJSON`` for bytes that are
    ///   not JSON, or ``ReplyDecodingError/Reason/invalidField`` naming the first missing or malformed field.
    public static func decode(_ bytes: some Collection<UInt8>) throws(ReplyDecodingError) -> DecodedResponse {
        let document: JSONValue
        do {
            document = try JSONParser().parse(bytes)
        } catch {
            throw ReplyDecodingError(reason: .malformedJSON, message: "Invalid response envelope: \(error.description)")
        }
        let envelope = try ReplyReader(document, path: "", context: "response envelope")
        let kind = try envelope.string("kind")
        let head = try envelope.object("head")
        let correlationID = try head.string("corrId")
        let status = try head.integer("status")
        guard let data = envelope.members["data"] else { throw envelope.missing("data") }
        return DecodedResponse(kind: kind, correlationID: correlationID, status: Int(clamping: status), data: data)
    }

    /// Parses the response to `request` sent with `correlationID` and decodes it into a typed ``Reply``.
    ///
    /// - Throws: ``ReplyDecodingError``, as ``decode(_:)`` and ``DecodedResponse/reply(to:correlationID:)``.
    public static func decode(
        _ bytes: some Collection<UInt8>,
        replyingTo request: Request,
        correlationID: String
    ) throws(ReplyDecodingError) -> Reply {
        try decode(bytes).reply(to: request, correlationID: correlationID)
    }
}
