// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
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
            Self.publishAfterResponse(response.effects, engine: engine)
            return Self.jsonResponse(status: response.status, body: response.body)
        }
    }

    /// Publishes a committed request's messages after its response is written, whether or not the client is
    /// still there to read it.
    ///
    /// The messages follow the response, never precede it: the official Python SDK stops its network as soon as an `unblock`
    /// settles the handle it waits on, so an `unblock` that overtook the answer to its own `task.fulfill` made it
    /// abandon that request. A connection's task runs on its event loop (``EventLoopBoundHTTP1Channel``) and
    /// Hummingbird writes a byte-buffer response in one write as soon as the route returns, without suspending
    /// in between; a job queued on that loop now therefore runs after the write has been handed to the socket.
    /// The response stays a plain byte buffer, which Hummingbird sends as head and body in one system call.
    static func publishAfterResponse(_ effects: Effects, engine: Engine<some Store>) {
        guard !effects.isEmpty else { return }
        if let eventLoop = MultiThreadedEventLoopGroup.currentEventLoop {
            eventLoop.execute { engine.publish(effects) }
        } else {
            engine.publish(effects)
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
