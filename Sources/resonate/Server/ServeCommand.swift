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
import ResonateProtocol
import ResonateServer
import ServiceLifecycle

/// `resonate serve`: the server on a SQLite file.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Resonate server.",
        discussion: """
            Stores promises, tasks and schedules durably in SQLite (WAL, synchronous=FULL: an acknowledged write \
            survives kill -9 and power loss). Stops gracefully on SIGINT or SIGTERM.

            Examples:
              resonate serve
              resonate serve --store sqlite:/var/lib/resonate/resonate.db --host 0.0.0.0
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
        try await ServerLauncher.run(options.resolve(defaultStore: "sqlite::memory:", forceDebug: true), mode: "dev")
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

        let store: SQLiteStore
        do {
            store = try SQLiteStore(location: settings.store)
        } catch {
            logger.critical("cannot open the store", metadata: ["store": "\(settings.store)", "error": "\(error)"])
            throw ExitCode(2)
        }
        if settings.server.authentication?.key.family == .unverified {
            logger.warning(
                "auth runs with --auth-publickey none: token signatures are NOT checked, anyone can mint an admin token"
            )
        }
        let engine = Engine(store: store, configuration: settings.engine, logger: logger)
        let server = ResonateServer(engine: engine, configuration: settings.server, logger: logger)
        let host = settings.server.host
        try await server.run(metrics: registry, metricsPort: settings.metricsPort, alongside: exporters) { port in
            var metadata: Logger.Metadata = [
                "store": "\(settings.store)",
                "mode": "\(mode)",
                "debug": "\(settings.engine.isDebugEnabled)",
                "idRules": "\(settings.engine.idRules.rawValue)",
            ]
            if settings.metricsPort != 0 { metadata["metrics"] = "http://\(host):\(settings.metricsPort)/metrics" }
            if let endpoint = settings.tracesEndpoint { metadata["traces"] = "\(endpoint)" }
            if let verifier = settings.server.authentication {
                metadata["auth"] = "\(verifier.key.family) (\(verifier.key.acceptedAlgorithms.joined(separator: ", ")))"
            } else {
                metadata["auth"] = "off"
            }
            logger.notice("resonate server listening on http://\(host):\(port)", metadata: metadata)
        }
        logger.notice("resonate server stopped")
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
