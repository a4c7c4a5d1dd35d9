// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A response envelope whose head has been checked but whose `data` is still untyped JSON.
///
/// Produced by ``ResponseEnvelope/decode(_:)``; ``reply(to:correlationID:)`` turns it into a typed ``Reply``.
public struct DecodedResponse: Sendable {
    /// The response's `kind`: the request's kind, or `"unknown"` when the server could not read the request.
    public var kind: String
    /// The response's `head.corrId`: the request's, or `"0"` when the server could not read the request.
    public var correlationID: String
    /// The response's `head.status`, equal to the HTTP status.
    public var status: Int
    /// The response's `data`: an object, an array (`debug.tick`) or a string (errors).
    public var data: JSONValue

    /// Creates a decoded response from its parts.
    public init(kind: String, correlationID: String, status: Int, data: JSONValue) {
        self.kind = kind
        self.correlationID = correlationID
        self.status = status
        self.data = data
    }

    /// Checks that this is the response to `request` sent with `correlationID`, then decodes its `data`.
    ///
    /// The `kind` and `head.corrId` must both match, as the Python SDK requires. One exception: an error response
    /// with kind `"unknown"` and corrId `"0"` or `correlationID` is what the server sends when it could not read
    /// the request's envelope (or crashed handling it); it is returned as an error ``Reply`` so the caller sees its
    /// status and message.
    ///
    /// - Throws: ``ReplyDecodingError`` with reason ``ReplyDecodingError/Reason/mismatchedResponse`` when the
    ///   response belongs to another request, otherwise as ``Reply/init(replyingTo:status:data:)``.
    public func reply(to request: Request, correlationID expected: String) throws(ReplyDecodingError) -> Reply {
        let isUnattributedError =
            status >= 400 && kind == "unknown" && (correlationID == "0" || correlationID == expected)
        if !isUnattributedError {
            guard kind == request.kind.rawValue else {
                throw ReplyDecodingError(
                    reason: .mismatchedResponse,
                    field: "kind",
                    message: "Response kind '\(kind)' does not match the request kind '\(request.kind.rawValue)'"
                )
            }
            guard correlationID == expected else {
                throw ReplyDecodingError(
                    reason: .mismatchedResponse,
                    field: "head.corrId",
                    message: "Response corrId '\(correlationID)' does not match the request corrId '\(expected)'"
                )
            }
        }
        return try Reply(replyingTo: request, status: status, data: data)
    }
}
