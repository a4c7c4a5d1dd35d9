// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// A response ready to send: the HTTP status (equal to `head.status`) and the JSON body.
public struct EncodedResponse: Sendable {
    public var status: Int
    public var kind: String
    public var body: [UInt8]

    public init(status: Int, kind: String, body: [UInt8]) {
        self.status = status
        self.kind = kind
        self.body = body
    }
}

extension Engine {
    /// Handles the body of a `POST /` request: parses the envelope, executes the operation and encodes the
    /// response envelope. Every failure becomes an error envelope; nothing throws.
    ///
    /// - Parameter authorize: checks the envelope's token against the operation (JWT auth); return an error to
    ///   reject the request.
    public func handle(
        body: some Collection<UInt8>,
        authorize: (RequestEnvelope) -> RequestError? = { _ in nil }
    ) async -> EncodedResponse {
        let envelope: RequestEnvelope
        switch RequestEnvelope.parse(body) {
        case .success(let parsed):
            envelope = parsed
        case .failure(let failure):
            return Self.encode(kind: failure.kind, correlationID: failure.correlationID, reply: Reply(failure.error))
        }
        if let error = authorize(envelope) {
            return Self.encode(kind: envelope.kind, correlationID: envelope.correlationID, reply: Reply(error))
        }
        if let kind = RequestKind(rawValue: envelope.kind), kind.isDebug, !configuration.isDebugEnabled {
            return Self.encode(
                kind: envelope.kind,
                correlationID: envelope.correlationID,
                reply: Reply(status: 403, payload: .error("Debug operations are disabled"))
            )
        }
        let request: Request
        do {
            request = try Request(kind: envelope.kind, data: envelope.data)
        } catch {
            return Self.encode(kind: envelope.kind, correlationID: envelope.correlationID, reply: Reply(error))
        }
        let reply = await execute(request, debugTime: envelope.debugTime)
        return Self.encode(kind: envelope.kind, correlationID: envelope.correlationID, reply: reply)
    }

    static func encode(kind: String, correlationID: String, reply: Reply) -> EncodedResponse {
        EncodedResponse(
            status: reply.status,
            kind: kind,
            body: ResponseEnvelope.encode(kind: kind, correlationID: correlationID, reply: reply)
        )
    }
}
