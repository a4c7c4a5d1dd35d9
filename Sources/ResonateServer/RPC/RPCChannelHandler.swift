// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import ResonateEngine
import Tracing

/// Serves `POST /` from the channel pipeline, right after HTTP/1.1 decoding, and passes every other request on to
/// Hummingbird.
///
/// Nearly all of the server's traffic is `POST /`, a small JSON body answered with a small JSON body. Through
/// Hummingbird each such request crosses the connection's async sequences twice (the request parts into the
/// connection's task, the response parts out of it) and runs the router; measured, that bridging cost more CPU than
/// the protocol work itself. Here the request is collected in the pipeline, one task (on the connection's event
/// loop) runs the engine, and the response is written straight to the HTTP encoder.
///
/// The connection stays a well-behaved HTTP/1.1 connection:
/// - A request is served here only when no request handed to Hummingbird is still unanswered on the connection,
///   so responses leave in request order; others, and requests on a connection that closes after them, go to
///   Hummingbird (whose `POST /` route answers the same way).
/// - While a request is being answered, the connection reads no further; parts already read wait and are handled,
///   in order, after the response.
/// - A graceful shutdown's quiesce event waits until the response is written, so the answer is not cut off.
/// - A body over the configured limit is answered with 413 without being kept.
final class RPCChannelHandler<S: Store>: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: RPCResponder<S>
    private var state = RPCConnectionState()
    private var executor: EventLoopTaskExecutor?

    init(responder: RPCResponder<S>) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        apply(state.received(unwrapInboundIn(data), maximumBodySize: responder.maximumBodySize), context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { state.forwardedResponseEnded() }
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        if state.shouldRead() { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, state.deferQuiesce() { return }
        context.fireUserInboundEventTriggered(event)
    }

    private func apply(_ action: RPCConnectionState.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .forward(let part):
            context.fireChannelRead(wrapInboundOut(part))
        case .respond(let head, let body):
            respond(to: head, body: body, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, body: ByteBuffer?, context: ChannelHandlerContext) {
        let started = ContinuousClock.now
        let eventLoop = context.eventLoop
        let executor = self.executor ?? EventLoopTaskExecutor(eventLoop)
        self.executor = executor
        let responder = self.responder
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: eventLoop)
        // The task ends when its response is written: the connection does not read, and a graceful shutdown does
        // not close it, before then (see the type's documentation).
        Task(executorPreference: executor) {
            let response: EncodedResponse
            if let body {
                response = await responder.respond(
                    to: body, headers: head.headers, extractor: HTTPHeadersExtractor(), started: started)
            } else {
                response = responder.bodyTooLarge
            }
            if eventLoop.inEventLoop {
                bound.value.handler.finish(head: head, response: response, context: bound.value.context)
            } else {
                eventLoop.execute {
                    bound.value.handler.finish(head: head, response: response, context: bound.value.context)
                }
            }
        }
    }

    private func finish(head: HTTPRequestHead, response: EncodedResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(3)
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(response.body.count))
        // HTTP/1.0 closes after each response unless told otherwise; only kept-alive requests are served here.
        if head.version.major == 1, head.version.minor == 0 { headers.add(name: "connection", value: "keep-alive") }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        responder.publishAfterResponse(response.effects)

        let resumed = state.responded()
        var forwarded = false
        for part in resumed.heldParts {
            let action = state.received(part, maximumBodySize: responder.maximumBodySize)
            if case .forward = action { forwarded = true }
            apply(action, context: context)
        }
        // Hummingbird takes in what it was given at the end of a read; these parts were read earlier.
        if forwarded { context.fireChannelReadComplete() }
        if resumed.quiesce, !state.deferQuiesce() {
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        if resumed.read, state.shouldRead() { context.read() }
    }
}

/// Reads trace context (`traceparent`, …) from NIO's request headers.
struct HTTPHeadersExtractor: Extractor {
    func extract(key: String, from carrier: HTTPHeaders) -> String? {
        carrier.first(name: key)
    }
}
