// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ResonateProtocol
import Tracing

/// Sends requests to a server's `POST /` as JSON envelopes.
///
/// Error statuses are replies, not failures. A server that cannot be reached is retried with capped exponential
/// backoff (so a worker rides out a server restart) until `retryLimit` has passed.
final class HTTPTransport: Transport {
    let baseURL: String
    let token: String?
    let tracer: (any Tracer)?
    let client: HTTPClient
    let retryLimit: Duration
    let requestTimeout: Duration
    let logger: Logger

    init(
        baseURL: String, token: String?, tracer: (any Tracer)? = nil, client: HTTPClient, retryLimit: Duration,
        requestTimeout: Duration,
        logger: Logger
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.tracer = tracer
        self.client = client
        self.retryLimit = retryLimit
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    func send(_ request: Request) async throws -> Reply {
        let correlationID = "sw-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let body = request.envelope(correlationID: correlationID, auth: token)
        let started = ContinuousClock.now
        var delay: Duration = .milliseconds(100)
        while true {
            do {
                let reply = try await exchange(body, request: request, correlationID: correlationID)
                // A server whose storage is briefly unavailable (a database restarting, a replica failing over)
                // answers 5xx having applied nothing, or at worst an operation that is idempotent to repeat.
                guard reply.status >= 500, ContinuousClock.now - started + delay <= retryLimit else { return reply }
                logger.debug("server failed; retrying", metadata: ["status": "\(reply.status)", "delay": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            } catch let error as ReplyDecodingError {
                throw ResonateError(.server, "unreadable reply to \(request.kind.rawValue): \(error)")
            } catch {
                if error is CancellationError || ContinuousClock.now - started + delay > retryLimit {
                    throw ResonateError(.unavailable, "cannot reach \(baseURL): \(error)")
                }
                logger.debug("server unreachable; retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// One exchange, in a child task of its own.
    ///
    /// A Swift task keeps the memory its deepest call needed until it ends. The HTTP client's and the decoder's
    /// frames are deep, and the calling task often waits long afterwards (a held sleep, a handle waiting for its
    /// workflow): run in the caller, each such task kept about 6 KB, which is most of a Kafka worker's memory per
    /// workflow in flight. The child's memory is freed as soon as the answer is in.
    private func exchange(_ body: [UInt8], request: Request, correlationID: String) async throws -> Reply {
        try await withThrowingTaskGroup(of: Reply.self) { group in
            group.addTask { try await self.post(body, request: request, correlationID: correlationID) }
            guard let reply = try await group.next() else { throw CancellationError() }
            return reply
        }
    }

    private func post(_ body: [UInt8], request: Request, correlationID: String) async throws -> Reply {
        var http = HTTPClientRequest(url: baseURL + "/")
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        if let token { http.headers.add(name: "Authorization", value: "Bearer \(token)") }
        // The server's span for this request joins the caller's trace.
        for (name, value) in TraceContextCarrier.currentHeaders(tracer: TraceContextCarrier.tracer(tracer)) ?? [:] {
            http.headers.add(name: name, value: value)
        }
        http.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(http, timeout: .nanoseconds(Self.nanoseconds(requestTimeout)))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return try ResponseEnvelope.decode(bytes.readableBytesView, replyingTo: request, correlationID: correlationID)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
