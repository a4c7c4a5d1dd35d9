// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import ResonateAuth
import ResonateEngine
import ResonateProtocol
import ServiceContextModule
import Tracing

extension ResonateServer {
    /// `POST /`: the single RPC endpoint.
    func addRPCRoute(to router: Router<BasicRequestContext>) {
        let engine = self.engine
        let maximumBodySize = configuration.maximumBodySize
        let logger = self.logger
        let authorize = Self.authorizer(configuration.authentication)
        let configuredTracer = configuration.tracer
        let metrics = self.metrics
        let requestRate = self.requestRate
        router.post("/") { request, _ -> Response in
            let started = ContinuousClock.now
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: maximumBodySize)
            } catch {
                let reply = Reply(
                    status: 413,
                    payload: .error("Request body exceeds the limit of \(maximumBodySize) bytes")
                )
                return Self.jsonResponse(
                    status: 413,
                    body: ResponseEnvelope.encode(kind: "unknown", correlationID: "0", reply: reply)
                )
            }
            let tracer = configuredTracer ?? InstrumentationSystem.tracer
            var parent = ServiceContext.topLevel
            tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
            let span = tracer.startSpan("resonate.rpc", context: parent, ofKind: .server)
            defer { span.end() }
            var resourceIDs: [String] = []
            let response = await ServiceContext.withValue(span.context) {
                await engine.handle(body: body.readableBytesView) { envelope in
                    resourceIDs = envelope.resourceIDs
                    span.operationName = "resonate \(envelope.kind)"
                    span.attributes["resonate.kind"] = envelope.kind
                    if let id = resourceIDs.first { span.attributes["resonate.id"] = id }
                    return authorize(envelope)
                }
            }
            span.attributes["http.response.status_code"] = response.status
            if response.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
            let kind = RequestKind(rawValue: response.kind)?.rawValue ?? "unknown"
            metrics.requests(kind: kind, status: response.status).increment()
            requestRate.record()
            metrics.requestDuration(kind: kind).recordInterval(since: started)
            logger.debug(
                "request",
                metadata: [
                    "kind": "\(response.kind)", "status": "\(response.status)", "bytes": "\(body.readableBytes)",
                    "id": "\(resourceIDs.joined(separator: ","))",
                ]
            )
            // The messages belong to a committed change: they go out after the response, or when the response is
            // dropped because the client has gone.
            let effects = response.effects
            let publication = DeferredAction { engine.publish(effects) }
            let bytes = response.body
            return Response(
                status: HTTPResponse.Status(code: response.status),
                headers: [.contentType: "application/json"],
                body: ResponseBody(contentLength: bytes.count) { writer in
                    defer { publication.run() }
                    try await writer.write(ByteBuffer(bytes: bytes))
                    try await writer.finish(nil)
                }
            )
        }
    }

    /// The check of each envelope's token; none without a verifier.
    static func authorizer(_ verifier: JWTVerifier?) -> @Sendable (RequestEnvelope) -> RequestError? {
        guard let verifier else { return { _ in nil } }
        return { envelope in
            switch Authorization.decide(token: envelope.auth, verifier: verifier, resourceIDs: envelope.resourceIDs) {
            case .allowed: nil
            case .unauthenticated: RequestError(status: 401, message: "Unauthorized")
            case .forbidden: RequestError(status: 403, message: "Forbidden")
            }
        }
    }

    /// Reads trace context (`traceparent`, …) from request headers.
    struct HTTPFieldsExtractor: Extractor {
        func extract(key: String, from carrier: HTTPFields) -> String? {
            HTTPField.Name(key).flatMap { carrier[$0] }
        }
    }

    static func jsonResponse(status: Int, body: [UInt8]) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

extension Metrics.Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        recordNanoseconds((ContinuousClock.now - start).wholeNanoseconds)
    }
}
