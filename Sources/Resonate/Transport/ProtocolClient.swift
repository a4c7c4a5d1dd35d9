// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

package import AsyncHTTPClient
package import Logging
package import NIOCore
import NIOHTTP1
package import ResonateProtocol
package import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A server's `POST /`, spoken one way by the SDK, the `resonate` command line and its benchmark: the request
/// envelope, the token (in `head.auth` and as `Authorization: Bearer`, PROTOCOL §1.6), trace-context headers so the
/// server's span joins the caller's trace, a time limit per request, and retries while the server cannot be
/// reached or answers 5xx, for at most ``retryLimit`` (`.zero`: none).
///
/// ```swift
/// let client = ProtocolClient(baseURL: "http://localhost:8001", token: nil, http: .shared)
/// let reply = try await client.send(.promiseGet(id: "order-42"))
/// ```
package struct ProtocolClient: Sendable {
    /// The server, without a trailing slash.
    package let baseURL: String
    package let token: String?
    let http: HTTPClient
    let requestTimeout: Duration
    /// How long a request keeps being retried while the server cannot be reached or answers 5xx.
    let retryLimit: Duration
    let tracer: (any Tracer)?
    let correlationPrefix: String
    let logger: Logger

    package init(
        baseURL: String,
        token: String?,
        http: HTTPClient,
        requestTimeout: Duration = .seconds(30),
        retryLimit: Duration = .zero,
        tracer: (any Tracer)? = nil,
        correlationPrefix: String = "sw-",
        logger: Logger = Logger(label: "resonate.client")
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.http = http
        self.requestTimeout = requestTimeout
        self.retryLimit = retryLimit
        self.tracer = tracer
        self.correlationPrefix = correlationPrefix
        self.logger = logger
    }

    /// Sends `request` and returns the server's reply, error statuses included (they are answers, not failures).
    ///
    /// A server that cannot be reached, or answers 5xx, is asked again with capped exponential backoff until
    /// ``retryLimit`` has passed; it applied nothing, or at worst an operation that is idempotent to repeat. The
    /// last 5xx reply is returned.
    ///
    /// - Throws: ``ProtocolClientError``: the server could not be reached, or its answer was not a response
    ///   envelope.
    package func send(_ request: Request) async throws(ProtocolClientError) -> Reply {
        let correlationID = correlationPrefix + UUID().lowercaseHex
        let body = request.envelope(correlationID: correlationID, auth: token)
        let started = ContinuousClock.now
        var delay: Duration = .milliseconds(100)
        while true {
            do {
                let reply = try await exchange(body) { status, answer in
                    try decode(answer, status: status, request: request, correlationID: correlationID)
                }
                guard reply.status >= 500, ContinuousClock.now - started + delay <= retryLimit else { return reply }
                logger.debug("server failed; retrying", metadata: ["status": "\(reply.status)", "delay": "\(delay)"])
            } catch let error as ProtocolClientError {
                throw error
            } catch {
                let failure = ProtocolClientError(
                    .unreachable, "cannot reach \(baseURL): \(ProtocolClientError.reason(error))", underlying: error)
                if error is CancellationError || ContinuousClock.now - started + delay > retryLimit { throw failure }
                logger.debug("server unreachable; retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw ProtocolClientError(.unreachable, "cannot reach \(baseURL): cancelled", underlying: error)
            }
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// Sends a request of `kind` whose `data` is JSON text the caller wrote, once; returns the HTTP status and the
    /// raw answer. For load generators, which write their requests directly to keep their own cost low (and whose
    /// tasks are short-lived, so they need no child task: see ``exchange(_:read:)``).
    package func post(_ kind: RequestKind, dataJSON: String) async throws -> (status: Int, body: ByteBuffer) {
        let correlationID = correlationPrefix + "raw"
        return try await post(
            Request.envelope(kind: kind, correlationID: correlationID, auth: token, dataJSON: dataJSON))
    }

    /// One exchange, read by `read`, in a child task of its own.
    ///
    /// A Swift task keeps the memory its deepest call needed until it ends. The HTTP client's and the decoder's
    /// frames are deep, and the calling task often waits long afterwards (a held sleep, a handle waiting for its
    /// workflow): run in the caller, each such task kept about 6 KB, which is most of a Kafka worker's memory per
    /// workflow in flight. The child's memory is freed as soon as the answer is in.
    private func exchange<Answer: Sendable>(
        _ body: [UInt8], read: @escaping @Sendable (Int, ByteBuffer) throws -> Answer
    ) async throws -> Answer {
        try await withThrowingTaskGroup(of: Answer.self) { group in
            group.addTask {
                let (status, answer) = try await post(body)
                return try read(status, answer)
            }
            guard let answer = try await group.next() else { throw CancellationError() }
            return answer
        }
    }

    private func post(_ body: [UInt8]) async throws -> (status: Int, body: ByteBuffer) {
        var http = HTTPClientRequest(url: baseURL + "/")
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        if let token { http.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in TraceContextCarrier.currentHeaders(tracer: TraceContextCarrier.tracer(tracer)) ?? [:] {
            http.headers.add(name: name, value: value)
        }
        http.body = .bytes(ByteBuffer(bytes: body))
        let response = try await self.http.execute(http, timeout: .nanoseconds(requestTimeout.wholeNanoseconds))
        return (Int(response.status.code), try await response.body.collect(upTo: 64 << 20))
    }

    private func decode(
        _ body: ByteBuffer, status: Int, request: Request, correlationID: String
    ) throws(ProtocolClientError) -> Reply {
        do {
            return try ResponseEnvelope.decode(
                body.readableBytesView, replyingTo: request, correlationID: correlationID)
        } catch {
            // Not an envelope: a proxy's page, a 413 from the HTTP layer, the legacy REST API's 410…
            let text = String(
                String(buffer: body).drop(while: \.isWhitespace).prefix(200).reversed().drop(while: \.isWhitespace)
                    .reversed())
            let detail = text.isEmpty ? "\(error)" : "\(error): \(text)"
            throw ProtocolClientError(
                .unreadable,
                "unreadable \(request.kind.rawValue) response from \(baseURL) (HTTP \(status)): \(detail)",
                status: status, underlying: error)
        }
    }

}
