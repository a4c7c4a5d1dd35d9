// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import ResonateProtocol

/// Where a process receives the server's messages.
protocol MessageSource: Sendable {
    /// Receives messages until cancelled. `onConnect` runs after every (re)connection, before messages flow.
    func run(
        onConnect: @escaping @Sendable () async -> Void, onMessage: @escaping @Sendable (Message) async -> Void) async
}

/// `GET /poll/{group}/{pid}`: the server's Server-Sent-Events stream, reconnected with capped backoff.
struct EventStreamSource: MessageSource {
    let baseURL: String
    let group: String
    let pid: String
    let token: String?
    let client: HTTPClient
    let logger: Logger

    func run(
        onConnect: @escaping @Sendable () async -> Void, onMessage: @escaping @Sendable (Message) async -> Void
    ) async {
        var backoff: Duration = .seconds(1)
        while !Task.isCancelled {
            var connectedAt: ContinuousClock.Instant?
            var endedCleanly = false
            do {
                try await stream(onConnect: onConnect, onMessage: onMessage) {
                    connectedAt = .now
                    backoff = .seconds(1)
                }
                endedCleanly = true
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "message stream failed; reconnecting", metadata: ["error": "\(error)", "in": "\(backoff)"])
            }
            let delay = Self.reconnectDelay(
                streamLived: connectedAt.map { $0.duration(to: .now) }, endedCleanly: endedCleanly, backoff: backoff)
            if endedCleanly {
                logger.log(
                    level: delay == .zero ? .debug : .info, "the message stream ended; reconnecting",
                    metadata: ["in": "\(delay)"])
            }
            guard delay > .zero else { continue }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            backoff = min(backoff * 2, .seconds(60))
        }
    }

    /// How long to wait before reconnecting. Servers end streams after a while for their clients to reconnect (ours
    /// every few minutes, see `ServerConfiguration.pollStreamLifetime`): a stream that lived and ended cleanly is
    /// reopened at once, so no message waits out a backoff. A failure, or a stream ended as soon as it opened,
    /// waits the backoff.
    static func reconnectDelay(streamLived lived: Duration?, endedCleanly: Bool, backoff: Duration) -> Duration {
        guard endedCleanly, let lived, lived >= livedStream else { return backoff }
        return .zero
    }

    /// How long a stream must have been open for its clean end to be answered by reconnecting at once; a server
    /// that ends streams right after opening them gets the backoff instead.
    static let livedStream = Duration.seconds(1)

    private func stream(
        onConnect: @Sendable () async -> Void,
        onMessage: @Sendable (Message) async -> Void,
        connected: () -> Void
    ) async throws {
        var request = HTTPClientRequest(url: "\(baseURL)/poll/\(group)/\(pid)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await client.execute(request, timeout: .hours(24 * 365))
        guard response.status == .ok else {
            throw ResonateError(
                .server, "the message stream answered \(response.status.code)", status: Int(response.status.code))
        }
        connected()
        logger.debug("message stream connected", metadata: ["group": "\(group)", "pid": "\(pid)"])
        await onConnect()
        var parser = ServerSentEventParser()
        for try await chunk in response.body {
            for event in try parser.feed(chunk.readableBytesView) where !event.isComment {
                do {
                    await onMessage(try Message(parsing: event.data.utf8))
                } catch {
                    // Messages of kinds this SDK does not know are ignored, as the protocol asks.
                    if !error.isUnknownMessageKind {
                        logger.warning("unreadable message dropped", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }
}

/// The in-process engine's messages (local mode).
struct LocalSource: MessageSource {
    let sink: LocalMessageSink

    func run(
        onConnect: @escaping @Sendable () async -> Void, onMessage: @escaping @Sendable (Message) async -> Void
    ) async {
        await onConnect()
        for await message in sink.messages {
            await onMessage(message)
        }
    }
}
