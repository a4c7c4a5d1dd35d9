// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Metrics
import NIOCore
import NIOPosix
import ResonateAuth
import ResonateEngine
import ResonateProtocol
import ServiceContextModule
import Tracing

/// Answers one `POST /` request body: the engine's response, with the request's span, metrics and debug log.
///
/// Shared by the two ways a request reaches the engine: ``RPCChannelHandler`` in the channel pipeline, which serves
/// nearly all of them, and the Hummingbird route (``ResonateServer/addRPCRoute(to:)``) for the rest.
struct RPCResponder<S: Store>: Sendable {
    let engine: Engine<S>
    let maximumBodySize: Int
    let logger: Logger
    let authorize: @Sendable (RequestEnvelope) -> RequestError?
    /// The tracer, resolved once: `InstrumentationSystem.tracer` takes a lock and two dynamic casts per call.
    let tracer: any Tracer
    /// Whether spans are recorded at all; without a tracer a request skips the span's work entirely.
    let traces: Bool
    let metrics: ServerMetricHandles
    let requestRate: RequestRate

    /// - Parameter tracer: the configured tracer, else the process's (`InstrumentationSystem.tracer` as
    ///   bootstrapped when the server starts serving).
    init(
        engine: Engine<S>, maximumBodySize: Int, logger: Logger,
        authorize: @escaping @Sendable (RequestEnvelope) -> RequestError?, tracer: (any Tracer)?,
        metrics: ServerMetricHandles, requestRate: RequestRate
    ) {
        self.engine = engine
        self.maximumBodySize = maximumBodySize
        self.logger = logger
        self.authorize = authorize
        self.tracer = tracer ?? InstrumentationSystem.tracer
        self.traces = !(self.tracer is NoOpTracer)
        self.metrics = metrics
        self.requestRate = requestRate
    }

    /// The response to `body`, whose request arrived at `started` with `headers` (read for trace context by
    /// `extractor`).
    func respond<Carrier, E: Extractor>(
        to body: ByteBuffer, headers: Carrier, extractor: E, started: ContinuousClock.Instant
    ) async -> EncodedResponse where E.Carrier == Carrier {
        let logsRequests = logger.logLevel <= .debug
        var resourceIDs: [String] = []
        let response: EncodedResponse
        if traces {
            response = await traced(body, headers: headers, extractor: extractor, resourceIDs: &resourceIDs)
        } else {
            response = await engine.handle(body: body.readableBytesView) { envelope in
                if logsRequests { resourceIDs = envelope.resourceIDs }
                return authorize(envelope)
            }
        }
        let kind = RequestKind(rawValue: response.kind)?.rawValue ?? "unknown"
        metrics.requests(kind: kind, status: response.status).increment()
        requestRate.record()
        metrics.requestDuration(kind: kind).recordInterval(since: started)
        if logsRequests {
            logger.debug(
                "request",
                metadata: [
                    "kind": "\(response.kind)", "status": "\(response.status)", "bytes": "\(body.readableBytes)",
                    "id": "\(resourceIDs.joined(separator: ","))",
                ]
            )
        }
        return response
    }

    /// The engine's response inside a `resonate.rpc` server span, continuing the trace the headers carry.
    private func traced<Carrier, E: Extractor>(
        _ body: ByteBuffer, headers: Carrier, extractor: E, resourceIDs: inout [String]
    ) async -> EncodedResponse where E.Carrier == Carrier {
        var parent = ServiceContext.topLevel
        tracer.extract(headers, into: &parent, using: extractor)
        let span = tracer.startSpan("resonate.rpc", context: parent, ofKind: .server)
        defer { span.end() }
        var ids: [String] = []
        let response = await ServiceContext.withValue(span.context) {
            await engine.handle(body: body.readableBytesView) { envelope in
                ids = envelope.resourceIDs
                span.operationName = "resonate \(envelope.kind)"
                span.attributes["resonate.kind"] = envelope.kind
                if let id = ids.first { span.attributes["resonate.id"] = id }
                return authorize(envelope)
            }
        }
        span.attributes["http.response.status_code"] = response.status
        if response.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
        resourceIDs = ids
        return response
    }

    /// The answer to a body over ``maximumBodySize``.
    var bodyTooLarge: EncodedResponse {
        let reply = Reply(status: 413, payload: .error("Request body exceeds the limit of \(maximumBodySize) bytes"))
        return EncodedResponse(
            status: 413, kind: "unknown",
            body: ResponseEnvelope.encode(kind: "unknown", correlationID: "0", reply: reply))
    }

    /// Publishes a committed request's messages after its response is written, whether or not the client is
    /// still there to read it.
    ///
    /// The messages follow the response, never precede it: the official Python SDK stops its network as soon as an
    /// `unblock` settles the handle it waits on, so an `unblock` that overtook the answer to its own `task.fulfill`
    /// made it abandon that request. Both request paths write the response on the connection's event loop without
    /// suspending before this call, so a job queued on that loop now runs after the write was handed to the
    /// socket.
    func publishAfterResponse(_ effects: Effects) {
        guard !effects.isEmpty else { return }
        let engine = self.engine
        if let eventLoop = MultiThreadedEventLoopGroup.currentEventLoop {
            eventLoop.execute { engine.publish(effects) }
        } else {
            engine.publish(effects)
        }
    }
}
