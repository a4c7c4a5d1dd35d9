// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore
import ResonateAuth
import ResonateEngine
import ResonateProtocol
import ServiceLifecycle

extension ResonateServer {
    /// `GET /poll/{group}/{id}`: a Server-Sent-Events stream of the messages addressed to this process.
    ///
    /// Each message is one event with a single `data:` line of JSON. Comment lines (`:`) are sent when the stream
    /// opens and every `keepAliveInterval` while idle, so intermediaries keep the connection open and a vanished
    /// client is noticed. Messages parked for the group while nobody was connected are delivered at once.
    /// With a ``ServerConfiguration/pollStreamLifetime``, the stream ends cleanly once it has lived that long (less
    /// a random tenth): what was queued for it is written first, and what comes after waits for the reconnection.
    func addPollRoute(to router: Router<BasicRequestContext>) {
        let registry = self.registry
        let engine = self.engine
        let keepAliveInterval = configuration.keepAliveInterval
        let lifetime = configuration.pollStreamLifetime
        let verifier = configuration.authentication
        router.get("/poll/:group/:id") { request, context -> Response in
            if let verifier {
                // Streams are authenticated only; their messages name no resource a prefix could restrict.
                let token = Authorization.bearerToken(fromAuthorizationHeader: request.headers[.authorization])
                guard let token, (try? verifier.verify(token)) != nil else {
                    return Response(
                        status: .unauthorized,
                        headers: [.contentType: "text/plain; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: "Unauthorized"))
                    )
                }
            }
            let group = try context.parameters.require("group")
            let process = try context.parameters.require("id")
            guard !group.isEmpty, !process.isEmpty else {
                return Response(
                    status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "Bad poll path\n")))
            }
            let registration: PollRegistry.Registration
            do {
                registration = try registry.register(group: group, process: process)
            } catch {
                return Response(
                    status: .serviceUnavailable,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "Poll registration at capacity\n"))
                )
            }
            // Given up when the stream ends, or when the response is discarded because the client went away first.
            let unregistration = DeferredAction { registry.unregister(registration) }
            engine.connectionOpened(group: group)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    defer { unregistration.run() }
                    try await writer.write(ByteBuffer(string: ":\n\n"))
                    do {
                        // The stream ends when the client goes away or the server begins to shut down.
                        try await withGracefulShutdownHandler {
                            try await request.body.consumeWithInboundCloseHandler { _ in
                                try await Self.stream(
                                    registration, to: &writer, keepAliveInterval: keepAliveInterval,
                                    lifetime: lifetime.map { $0 * Double.random(in: 0.9...1.0) })
                            } onInboundClosed: {
                                registration.continuation.finish()
                            }
                        } onGracefulShutdown: {
                            registration.continuation.finish()
                        }
                    } catch {
                        // The client went away mid-write; nothing more to send.
                        return
                    }
                    // Forgotten before the last write, which can wait on a connection already going away.
                    unregistration.run()
                    try? await writer.finish(nil)
                }
            )
        }
    }

    private static func stream(
        _ registration: PollRegistry.Registration,
        to writer: inout any ResponseBodyWriter,
        keepAliveInterval: Duration,
        lifetime: Duration?
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: keepAliveInterval)
                    registration.continuation.yield(.keepAlive)
                }
            }
            if let lifetime {
                group.addTask {
                    try await Task.sleep(for: lifetime)
                    // Ends the loop below once what is already queued has been written.
                    registration.continuation.finish()
                }
            }
            defer { group.cancelAll() }
            for await event in registration.events {
                var buffer = ByteBuffer()
                switch event {
                case .message(let bytes):
                    buffer.reserveCapacity(bytes.count + 8)
                    buffer.writeString("data: ")
                    buffer.writeBytes(bytes)
                    buffer.writeString("\n\n")
                case .keepAlive:
                    buffer.writeString(":\n\n")
                }
                try await writer.write(buffer)
            }
        }
    }
}
