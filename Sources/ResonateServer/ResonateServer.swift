// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Hummingbird
public import Logging
import NIOCore
public import Prometheus
public import ResonateEngine
import ResonateMetricsEndpoint
import ResonateProtocol
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// The Resonate server: the protocol's HTTP surface over an ``Engine``.
///
/// ```swift
/// let store = try SQLiteStore(location: .file("resonate.db"))
/// let server = ResonateServer(engine: Engine(store: store), configuration: ServerConfiguration(), logger: logger)
/// try await server.run()   // until SIGINT or SIGTERM
/// ```
///
/// Routes: `POST /` (RPC), `GET /poll/{group}/{id}` (SSE), `GET /health`, `GET /ready`, and 410 on the legacy
/// REST paths. Metrics are served on a separate port when a Prometheus registry is given.
public final class ResonateServer<S: Store>: Sendable {
    public let engine: Engine<S>
    public let configuration: ServerConfiguration
    let registry: PollRegistry
    let push: PushDelivery
    let cluster: ClusterCoordinator?
    let logger: Logger
    let metrics: ServerMetricHandles
    let requestRate: RequestRate
    private let boundPort = BoundPort()

    public init(engine: Engine<S>, configuration: ServerConfiguration = ServerConfiguration(), logger: Logger) {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
        let metrics = ServerMetricHandles()
        self.metrics = metrics
        requestRate = RequestRate(clock: { [engine] in engine.clock.now.milliseconds })
        // Anycast weighs processes by their leased tasks: counted over the cluster when there are replicas (the
        // coordinator reads them from the store), else as this engine sees them.
        let clusterLoad = Mutex<ClusterCoordinator?>(nil)
        let registry = PollRegistry(
            bufferSize: configuration.connectionBufferSize,
            maximumConnections: configuration.maximumConnections,
            logger: logger,
            load: { [engine] process in
                clusterLoad.withLock { $0 }?.load(process) ?? engine.leasedTaskCount(process: process)
            },
            now: { [engine] in engine.clock.now.milliseconds },
            handedWindow: engine.configuration.retryTimeout.wholeMilliseconds,
            connectionEnded: { [engine] tasks in engine.retryUnacquired(tasks) }
        )
        self.registry = registry
        let cluster = configuration.replicaBus.map { bus in
            ClusterCoordinator(
                bus: bus,
                registry: registry,
                serverURL: configuration.effectiveServerURL(),
                readPromise: { [engine] id in try await engine.promise(id: id) },
                connectionOpened: { [engine] group in engine.connectionOpened(group: group) },
                relayAcknowledged: { [engine] acknowledgement in
                    engine.relayAcknowledged(
                        address: acknowledgement.address, content: acknowledgement.content,
                        delivered: acknowledgement.delivered)
                },
                metrics: metrics,
                logger: logger
            )
        }
        clusterLoad.withLock { $0 = cluster }
        self.cluster = cluster
        push = PushDelivery(
            concurrency: configuration.pushConcurrency, timeout: configuration.pushTimeout, logger: logger)
        engine.attach(
            ServerMessageSink(
                registry: registry,
                push: push,
                serverURL: configuration.effectiveServerURL(),
                cluster: cluster,
                metrics: metrics
            )
        )
    }

    /// The port the API listens on, once it does (useful with port 0).
    public var port: Int? { boundPort.value }

    /// The number of open SSE connections.
    public var pollConnectionCount: Int { registry.connectionCount }
    /// The SSE streams opened since the server started, ended ones included.
    public var pollStreamsOpened: UInt64 { registry.registeredCount }

    /// The tasks `process` holds leased: over the cluster with replicas, else as this engine sees them.
    func leasedTasks(of process: String) -> Int {
        cluster?.load(process) ?? engine.leasedTaskCount(process: process)
    }

    /// The Hummingbird application serving the API, with the engine, push delivery and SSE registry as services.
    ///
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func makeApplication(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        addRPCRoute(to: router)
        addPollRoute(to: router)
        addOperationalRoutes(to: router)
        if configuration.isDashboardEnabled {
            do {
                try addDashboardRoutes(to: router)
            } catch {
                logger.error(
                    "the dashboard's templates do not parse; serving no dashboard", metadata: ["error": "\(error)"])
            }
        }
        let boundPort = self.boundPort
        let configuration = self.configuration
        let engine = self.engine
        let registry = self.registry
        let push = self.push
        let cluster = self.cluster
        let logger = self.logger
        let metrics = self.metrics
        // Services stop in reverse order: the HTTP server first (SSE streams end on graceful shutdown, so it
        // drains), then push delivery, then the engine.
        var application = Application(
            router: router,
            server: .eventLoopBoundHTTP1(handlers: { [rpcResponder] in [RPCChannelHandler(responder: rpcResponder)] }),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "resonate"
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                boundPort.value = port
                if configuration.port == 0 {
                    let serverURL = configuration.effectiveServerURL(boundPort: port)
                    cluster?.setServerURL(serverURL)
                    engine.attach(
                        ServerMessageSink(
                            registry: registry, push: push, serverURL: serverURL, cluster: cluster, metrics: metrics)
                    )
                }
                await onListening(port)
            },
            logger: logger
        )
        application.addServices(engine, push)
        if let cluster { application.addServices(cluster) }
        return application
    }

    /// Assembles a server on `store` — its engine, then the server — and runs it until SIGINT or SIGTERM (see
    /// ``run(metrics:metricsPort:services:onListening:)``). `resonate serve` and `resonate dev` start this way.
    ///
    /// ```swift
    /// try await ResonateServer.serve(store: try SQLiteStore(location: .file("resonate.db")), logger: logger)
    /// ```
    ///
    /// For several replicas on one PostgreSQL database, configure `engine` and `configuration` with a
    /// `PostgresReplication` first, and pass the store in `services` so that it starts first and stops last.
    public static func serve(
        store: S,
        engine engineConfiguration: EngineConfiguration = EngineConfiguration(),
        configuration: ServerConfiguration = ServerConfiguration(),
        metrics: PrometheusCollectorRegistry? = nil,
        metricsPort: Int = 0,
        services: [any Service] = [],
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let engine = Engine(store: store, configuration: engineConfiguration, logger: logger)
        let server = ResonateServer(engine: engine, configuration: configuration, logger: logger)
        try await server.run(metrics: metrics, metricsPort: metricsPort, services: services, onListening: onListening)
    }

    /// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
    ///
    /// - Parameters:
    ///   - metrics: a Prometheus registry to expose on `metricsPort` (the process's metrics factory should write
    ///     to it); `nil` or port 0 serves no metrics.
    ///   - services: services the server depends on, such as a store with a connection pool or a trace exporter;
    ///     they start before the server and stop after it.
    ///   - onListening: called with the bound API port.
    public func run(
        metrics: PrometheusCollectorRegistry? = nil,
        metricsPort: Int = 0,
        services dependencies: [any Service] = [],
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        // A service group shuts its services down in reverse order, so dependencies go first.
        var services: [any Service] = dependencies + [makeApplication(onListening: onListening)]
        if let metrics, metricsPort != 0 {
            services.append(
                MetricsEndpoint.application(
                    registry: metrics,
                    host: configuration.host,
                    port: metricsPort,
                    logger: logger,
                    beforeScrape: { [engine, logger] in await StateGauges.shared.update(from: engine, logger: logger) }
                )
            )
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}

/// The port the server bound, published once it listens.
final class BoundPort: Sendable {
    private let storage = Atomic<Int>(-1)

    var value: Int? {
        get {
            let port = storage.load(ordering: .acquiring)
            return port < 0 ? nil : port
        }
        set { storage.store(newValue ?? -1, ordering: .releasing) }
    }
}
