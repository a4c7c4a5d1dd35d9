// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient

extension HTTPClient {
    /// The most connections the SDK opens to one server.
    ///
    /// Every durable operation of every execution in flight is one request; with `HTTPClient.shared`'s eight
    /// connections per host (one of them held by the event stream), a process running hundreds of executions
    /// queued them behind seven connections and was no faster than running one execution at a time. The server
    /// commits concurrent requests together, so more connections mean more operations per commit.
    static let sdkConnectionsPerServer = 64

    /// The HTTP client of every remote ``Resonate`` instance in the process: like `HTTPClient.shared` (a process
    /// lifetime singleton that is never shut down) but with ``sdkConnectionsPerServer`` connections per server.
    static let sdk: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = sdkConnectionsPerServer
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
