// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Hummingbird
import Logging
import ResonateTesting
import ServiceLifecycle

/// A Hummingbird application on a free loopback port for the length of a test: stand-ins for what a test talks to
/// (a recording Resonate server, an OTLP collector).
///
/// ```swift
/// let router = Router()
/// router.post("/v1/traces") { _, _ in Response(status: .ok) }
/// try await LocalHTTPServer.with(router) { url in … }   // url: "http://127.0.0.1:PORT"
/// ```
public enum LocalHTTPServer {
    /// Serves `router` while `body` runs, then shuts the server down gracefully.
    public static func with<T: Sendable>(
        _ router: Router<BasicRequestContext>,
        _ body: @Sendable (_ url: String) async throws -> T
    ) async throws -> T {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "resonate.test.http")
        logger.logLevel = .warning
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        return try await ServiceGroup.serving(application, ports: ports, logger: logger) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
