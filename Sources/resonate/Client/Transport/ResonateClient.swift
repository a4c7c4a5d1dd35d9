// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ResonateProtocol

/// Sends one protocol request per call to a server's `POST /` and turns every failure into a ``ClientError``.
///
/// Unlike the SDK's transport it never retries: a person or a script is waiting, and a clear error now is more
/// useful than a silent retry loop.
struct ResonateClient: Sendable {
    /// The server's base URL, without a trailing slash.
    let serverURL: String
    /// A JWT, sent in `head.auth` (raw) and as `Authorization: Bearer` (PROTOCOL §1.6).
    let token: String?
    var requestTimeout: Duration = .seconds(30)

    /// The process's HTTP client. Unlike `HTTPClient.shared` it does not retry failed connection attempts until the
    /// request's deadline: a server that refuses connections is reported at once. It lives as long as the process,
    /// so it is never shut down.
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(serverURL: String, token: String?) {
        self.serverURL = serverURL
        self.token = token
    }

    /// Sends `request` and returns the payload of a success (2xx) answer.
    ///
    /// - Throws: ``ClientError`` with ``ClientError/Code/refused`` for a 4xx answer (carrying the server's message
    ///   and status), ``ClientError/Code/unavailable`` when the server cannot be reached, answers 5xx, or answers
    ///   with something that is not a response envelope.
    func send(_ request: Request) async throws(ClientError) -> Reply.Payload {
        let correlationID = "cli-" + UUID().uuidString.lowercased()
        let operation = request.kind.rawValue
        var http = HTTPClientRequest(url: serverURL + "/")
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        if let token { http.headers.add(name: "Authorization", value: "Bearer \(token)") }
        http.body = .bytes(ByteBuffer(bytes: request.envelope(correlationID: correlationID, auth: token)))
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await Self.http.execute(http, timeout: .nanoseconds(nanoseconds(requestTimeout)))
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ClientError(
                .unavailable,
                "cannot reach \(serverURL): \(Self.reason(error))",
                operation: operation
            )
        }
        let reply: Reply
        do {
            reply = try ResponseEnvelope.decode(
                body.readableBytesView, replyingTo: request, correlationID: correlationID)
        } catch {
            // Not an envelope: a proxy's page, a 413 from the HTTP layer, the legacy REST API's 410….
            let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
            let detail = text.isEmpty ? error.message : "\(error.message): \(text)"
            throw ClientError(
                (400..<500).contains(status) ? .refused : .unavailable,
                "unreadable \(operation) response from \(serverURL) (HTTP \(status)): \(detail)",
                status: status,
                operation: operation
            )
        }
        if case .error(let message) = reply.payload {
            throw ClientError(
                reply.status >= 500 ? .unavailable : .refused,
                "\(message) (\(reply.status) from \(operation))",
                status: reply.status,
                operation: operation
            )
        }
        return reply.payload
    }

    private func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// A short reason for a transport failure: NIO's descriptions of connection errors are long and nested.
    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        for (needle, reason) in [
            ("ECONNREFUSED", "connection refused"), ("Connection refused", "connection refused"),
            ("connectTimeout", "connection timed out"), ("deadlineExceeded", "no response in time"),
            ("remoteConnectionClosed", "the server closed the connection"),
            ("NXDOMAIN", "unknown host"), ("Name or service not known", "unknown host"),
            ("nodename nor servname", "unknown host"),
        ] where text.contains(needle) {
            return reason
        }
        return text
    }
}
