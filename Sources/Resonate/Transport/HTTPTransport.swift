// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The SDK's transport to a server: a ``ProtocolClient`` that retries while the server cannot be reached or fails
/// (so a worker rides out a server restart), with its failures as ``ResonateError``s.
///
/// Error statuses are replies, not failures.
struct HTTPTransport: Transport {
    let client: ProtocolClient

    func send(_ request: Request) async throws -> Reply {
        do {
            return try await client.send(request)
        } catch {
            switch error.kind {
            case .unreachable: throw ResonateError(.unavailable, error.message)
            case .unreadable: throw ResonateError(.server, error.message)
            }
        }
    }
}
