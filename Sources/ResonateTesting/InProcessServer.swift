// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Logging
public import ResonateEngine
public import ResonateServer
import ServiceLifecycle

/// A real Resonate server on a free loopback port, inside the current process, for the duration of a closure.
///
/// ```swift
/// try await InProcessServer.with { server in
///     let resonate = Resonate(url: server.url, group: "workers")
///     …
/// }
/// ```
public struct InProcessServer: Sendable {
    /// The bound port.
    public let port: Int
    /// The server, for inspecting its engine and connections.
    public let server: ResonateServer<SQLiteStore>

    /// The base URL, `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }
    public var engine: Engine<SQLiteStore> { server.engine }

    /// Starts a server, runs `body`, then shuts the server down gracefully (also when `body` throws).
    public static func with<T: Sendable>(
        store: SQLiteStore.Location = .memory,
        engine configureEngine: (inout EngineConfiguration) -> Void = { _ in },
        server configureServer: (inout ServerConfiguration) -> Void = { _ in },
        clock: any EngineClock = SystemClock(),
        logLevel: Logger.Level = .warning,
        _ body: @Sendable (InProcessServer) async throws -> T
    ) async throws -> T {
        var engineConfiguration = EngineConfiguration()
        engineConfiguration.isDebugEnabled = true
        configureEngine(&engineConfiguration)
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.port = 0
        configureServer(&serverConfiguration)
        var logger = Logger(label: "resonate.test-server")
        logger.logLevel = logLevel
        let engine = Engine(
            store: try SQLiteStore(location: store),
            configuration: engineConfiguration,
            clock: clock,
            logger: logger
        )
        let server = ResonateServer(engine: engine, configuration: serverConfiguration, logger: logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = server.makeApplication { port in portContinuation.yield(port) }
        return try await ServiceGroup.serving(application, ports: ports, logger: logger) { port in
            try await body(InProcessServer(port: port, server: server))
        }
    }
}
