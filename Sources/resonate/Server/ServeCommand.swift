// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Instrumentation
import Logging
import Metrics
import OTel
import Prometheus
import ResonateAuth
import ResonateEngine
import ResonatePostgres
import ResonateProtocol
import ResonateServer
import ServiceLifecycle

/// `resonate serve`: the server on a SQLite file or a PostgreSQL database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Resonate server.",
        discussion: """
            Stores promises, tasks and schedules durably in SQLite (WAL, synchronous=FULL: an acknowledged write \
            survives kill -9 and power loss), or in PostgreSQL, where several servers can share one database \
            (read-committed transactions with row locks, synchronous_commit=on; the schema is migrated at \
            start-up). Stops gracefully on SIGINT or SIGTERM.

            Examples:
              resonate serve
              resonate serve --store sqlite:/var/lib/resonate/resonate.db --host 0.0.0.0
              resonate serve --store postgres://resonate:secret@db.internal:5432/resonate --store-pool-size 20
            """
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await ServerLauncher.run(
            options.resolve(defaultStore: "sqlite:resonate.db", forceDebug: false), mode: "serve")
    }
}

/// `resonate dev`: an ephemeral server with debug operations on.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run a development server: in-memory state, debug operations enabled.",
        discussion: """
            Same as `resonate serve --store sqlite::memory: --debug`. Everything is lost when it stops; pass \
            --store sqlite:PATH to keep state.
            """
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await ServerLauncher.run(
            options.resolve(defaultStore: "sqlite::memory:", forceDebug: true, allowPostgres: false), mode: "dev")
    }
}

/// Starts logging, metrics, the store, the engine and the server from resolved options.
enum ServerLauncher {
    static func run(_ settings: ServerOptions.Resolved, mode: String) async throws {
        LoggingSystem.bootstrap { label in
            switch settings.logFormat {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = settings.logLevel
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = settings.logLevel
                return handler
            }
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "resonate")
        var exporters: [any Service] = []
        if let endpoint = settings.tracesEndpoint {
            exporters.append(try Self.bootstrapTracing(endpoint: endpoint, logger: logger))
        }

        switch settings.store {
        case .sqlite(let location):
            let store: SQLiteStore
            do {
                store = try SQLiteStore(location: location)
            } catch {
                logger.critical("cannot open the store", metadata: ["store": "\(settings.store)", "error": "\(error)"])
                throw ExitCode(2)
            }
            try await serve(
                store: store, services: exporters, settings: settings, registry: registry, logger: logger, mode: mode)
        case .postgres(let configuration):
            let store: PostgresStore
            do {
                store = try PostgresStore(configuration: configuration, logger: logger)
                // Other replicas may share the database.
                var settings = settings
                let replication = try PostgresReplication(
                    store: store, serverURL: settings.server.effectiveServerURL(), logger: logger)
                replication.configure(&settings.engine)
                settings.server.replicaBus = replication.bus
                settings.replicaID = replication.replicaID
                // The store runs in the server's service group: it migrates first and stops last.
                try await serve(
                    store: store, services: [store] + exporters, settings: settings, registry: registry, logger: logger,
                    mode: mode)
            } catch let error as PostgresStoreError {
                logger.critical("cannot open the store", metadata: ["store": "\(settings.store)", "error": "\(error)"])
                throw ExitCode(2)
            }
        }
        logger.notice("resonate server stopped")
    }

    private static func serve<S: Store>(
        store: S,
        services: [any Service],
        settings: ServerOptions.Resolved,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        mode: String
    ) async throws {
        if settings.server.authentication?.key.family == .unverified {
            logger.warning(
                "auth runs with --auth-publickey none: token signatures are NOT checked, anyone can mint an admin token"
            )
        }
        let host = settings.server.host
        try await ResonateServer.serve(
            store: store, engine: settings.engine, configuration: settings.server, metrics: registry,
            metricsPort: settings.metricsPort, services: services, logger: logger
        ) { port in
            var metadata: Logger.Metadata = [
                "store": "\(settings.store)",
                "mode": "\(mode)",
                "debug": "\(settings.engine.isDebugEnabled)",
                "idRules": "\(settings.engine.idRules.rawValue)",
            ]
            if let replica = settings.replicaID { metadata["replica"] = "\(replica)" }
            if settings.metricsPort != 0 { metadata["metrics"] = "http://\(host):\(settings.metricsPort)/metrics" }
            if settings.server.isDashboardEnabled { metadata["dashboard"] = "http://\(host):\(port)/ui" }
            if let endpoint = settings.tracesEndpoint { metadata["traces"] = "\(endpoint)" }
            if let verifier = settings.server.authentication {
                metadata["auth"] = "\(verifier.key.family) (\(verifier.key.acceptedAlgorithms.joined(separator: ", ")))"
            } else {
                metadata["auth"] = "off"
            }
            logger.notice("resonate server listening on http://\(host):\(port)", metadata: metadata)
        }
    }

    /// Makes the process's tracer an OTLP/HTTP exporter to `endpoint`; returns the service that batches and sends
    /// the spans (it flushes on shutdown).
    static func bootstrapTracing(endpoint: String, logger: Logger) throws -> any Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "resonate"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.endpoint = endpoint
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        return service
    }
}
