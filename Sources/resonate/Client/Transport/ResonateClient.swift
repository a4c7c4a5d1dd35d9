// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import NIOCore
import Resonate
import ResonateProtocol

/// Sends one protocol request per call to a server's `POST /`, through the SDK's ``ProtocolClient``, and turns
/// every failure into a ``ClientError``.
///
/// Unlike the SDK it never retries: a person or a script is waiting, and a clear error now is more useful than a
/// silent retry loop.
struct ResonateClient: Sendable {
    let client: ProtocolClient

    /// The server's base URL, without a trailing slash.
    var serverURL: String { client.baseURL }

    /// The process's HTTP client. Unlike `HTTPClient.shared` it does not retry failed connection attempts until the
    /// request's deadline: a server that refuses connections is reported at once. It lives as long as the process,
    /// so it is never shut down.
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// - Parameter token: a JWT, sent in `head.auth` (raw) and as `Authorization: Bearer` (PROTOCOL §1.6).
    init(serverURL: String, token: String?) {
        client = ProtocolClient(baseURL: serverURL, token: token, http: Self.http, correlationPrefix: "cli-")
    }

    /// Sends `request` and returns the payload of a success (2xx) answer.
    ///
    /// - Throws: ``ClientError`` with ``ClientError/Code/refused`` for a 4xx answer (carrying the server's message
    ///   and status), ``ClientError/Code/unavailable`` when the server cannot be reached, answers 5xx, or answers
    ///   with something that is not a response envelope.
    func send(_ request: Request) async throws(ClientError) -> Reply.Payload {
        let operation = request.kind.rawValue
        let reply: Reply
        do {
            reply = try await client.send(request)
        } catch {
            let status = error.status
            let code: ClientError.Code = status.map { (400..<500).contains($0) } == true ? .refused : .unavailable
            throw ClientError(code, error.message, status: status, operation: operation)
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
}
