// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateEngine
public import ResonateProtocol

/// A response ready to send: the HTTP status (equal to `head.status`), the JSON body, and the effects to publish
/// once it has been sent.
public struct EncodedResponse: Sendable {
    public var status: Int
    public var kind: String
    public var body: [UInt8]
    public var effects: Effects

    public init(status: Int, kind: String, body: [UInt8], effects: Effects = .none) {
        self.status = status
        self.kind = kind
        self.body = body
        self.effects = effects
    }
}

// The envelope (`kind`, `head`, `data`) is the HTTP binding's framing of a request: the server reads and writes it,
// and the engine sees only the operation.
extension Engine {
    /// Handles the body of a `POST /` request: parses the envelope, executes the operation and encodes the
    /// response envelope. Every failure becomes an error envelope; nothing throws. The caller publishes the
    /// response's ``EncodedResponse/effects`` with ``publish(_:)`` after sending it.
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
        var request: Request
        do {
            request = try Request(kind: envelope.kind, data: envelope.data)
            if envelope.omitsPreload { request = request.omittingPreload() }
            if envelope.requestsCleanup { request = request.requestingCleanup() }
        } catch {
            return Self.encode(kind: envelope.kind, correlationID: envelope.correlationID, reply: Reply(error))
        }
        let (reply, effects) = await execute(request, debugTime: envelope.debugTime, deferringEffects: true)
        var response = Self.encode(kind: envelope.kind, correlationID: envelope.correlationID, reply: reply)
        response.effects = effects
        return response
    }

    static func encode(kind: String, correlationID: String, reply: Reply) -> EncodedResponse {
        EncodedResponse(
            status: reply.status,
            kind: kind,
            body: ResponseEnvelope.encode(kind: kind, correlationID: correlationID, reply: reply)
        )
    }
}
