// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ResonateEngine

/// Hummingbird's HTTP/1.1 channel, with each connection's task run on the connection's own event loop.
///
/// Hummingbird runs a connection's requests in a task on the cooperative pool, while the socket's reads and writes
/// happen on the channel's event loop: every request crosses between the two threads twice or more, and each
/// crossing is a wake-up and a context switch. Preferring the event loop as the connection task's executor keeps a
/// request on one thread from the socket read to the response write, except for the hop to the store.
///
/// `handlers` go between NIO's HTTP/1.1 decoder and Hummingbird (``RPCChannelHandler``).
struct EventLoopBoundHTTP1Channel: ServerChildChannel {
    let inner: HTTP1Channel
    let handlers: @Sendable () -> [any ChannelHandler]

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandlers(handlers(), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with each connection's task on its event loop (``EventLoopBoundHTTP1Channel``).
    static func eventLoopBoundHTTP1(
        configuration: HTTP1Channel.Configuration = .init(),
        handlers: @escaping @Sendable () -> [any ChannelHandler] = { [] }
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EventLoopBoundHTTP1Channel(
                inner: HTTP1Channel(responder: responder, configuration: configuration), handlers: handlers)
        }
    }
}
