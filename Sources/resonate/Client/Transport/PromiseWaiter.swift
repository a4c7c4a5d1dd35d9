// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Waits for a promise to settle by reading it with `promise.get`, backing off from 100 ms to 1 s.
///
/// Polling needs nothing but the RPC endpoint (no SSE stream, no listener address), works through any proxy, and
/// ends by itself: each `promise.get` times out an expired promise on the server (PROTOCOL §2.8), so the wait never
/// outlasts the promise's deadline.
struct PromiseWaiter: Sendable {
    let client: ResonateClient
    var initialDelay: Duration = .milliseconds(100)
    var maximumDelay: Duration = .seconds(1)

    /// The promise once settled.
    ///
    /// - Throws: ``ClientError`` from the server, or `CancellationError` when the task is cancelled.
    func settled(_ id: String) async throws -> PromiseRecord {
        var delay = initialDelay
        while true {
            let promise = try await client.getPromise(id)
            if promise.state.isSettled { return promise }
            try await Task.sleep(for: delay)
            delay = min(delay * 3 / 2, maximumDelay)
        }
    }
}
