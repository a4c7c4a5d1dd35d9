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
    /// What answers `POST /` bodies, for the channel handler and the route.
    var rpcResponder: RPCResponder<S> {
        RPCResponder(
            engine: engine, maximumBodySize: configuration.maximumBodySize, logger: logger,
            authorize: Self.authorizer(configuration.authentication), tracer: configuration.tracer,
            metrics: metrics, requestRate: requestRate)
    }

    /// `POST /`: the single RPC endpoint, for the requests ``RPCChannelHandler`` leaves to Hummingbird (those
    /// behind another request on their connection, or on a connection that closes after them).
    func addRPCRoute(to router: Router<BasicRequestContext>) {
        let responder = rpcResponder
        router.post("/") { request, _ -> Response in
            let started = ContinuousClock.now
            var request = request
            let response: EncodedResponse
            if let body = try? await request.collectBody(upTo: responder.maximumBodySize) {
                response = await responder.respond(
                    to: body, headers: request.headers, extractor: HTTPFieldsExtractor(), started: started)
            } else {
                response = responder.bodyTooLarge
            }
            responder.publishAfterResponse(response.effects)
            return Self.jsonResponse(status: response.status, body: response.body)
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
