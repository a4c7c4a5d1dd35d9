// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Logging
import ResonateAuth
import ResonateEngine
import ResonatePostgres
import ResonateProtocol
import ResonateServer

/// Options shared by `serve` and `dev`. Each falls back to an environment variable, then to its default.
struct ServerOptions: ParsableArguments {
    @Option(help: "Interface to bind. [env: RESONATE_HOST] (default: 127.0.0.1)")
    var host: String?

    @Option(help: "API port; 0 picks a free one. [env: RESONATE_PORT] (default: 8001)")
    var port: Int?

    @Option(
        help: """
            Where state lives: sqlite:PATH, sqlite::memory:, or (serve only) \
            postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require|verify-full]. \
            [env: RESONATE_STORE] (default: sqlite:resonate.db for serve, sqlite::memory: for dev)
            """
    )
    var store: String?

    @Option(
        help: """
            Most connections of a postgres:// store's pool. [env: RESONATE_STORE_POOL_SIZE] (default: 10)
            """
    )
    var storePoolSize: Int?

    @Option(
        help: """
            Write batches a postgres:// store commits at once (group commit). [env: RESONATE_STORE_WRITE_BATCHES] \
            (default: 2)
            """
    )
    var storeWriteBatches: Int?

    @Option(
        help: """
            Most writes in one batch of a postgres:// store; 1 gives each write its own transaction. \
            [env: RESONATE_STORE_BATCH_SIZE] (default: 64)
            """
    )
    var storeBatchSize: Int?

    @Flag(
        help: """
            Run a postgres:// store's statements unprepared, for a connection pooler that cannot keep prepared \
            statements. [env: RESONATE_STORE_NO_PREPARED_STATEMENTS=true]
            """
    )
    var storeNoPreparedStatements = false

    @Option(
        help: "Port of the Prometheus /metrics endpoint; 0 disables it. [env: RESONATE_METRICS_PORT] (default: 9090)")
    var metricsPort: Int?

    @Flag(help: "Enable debug.* operations and head[\"resonate:debug_time\"]. [env: RESONATE_DEBUG=true]")
    var debug = false

    @Flag(help: "Serve no dashboard under /ui. [env: RESONATE_NO_UI=true]")
    var noUI = false

    @Option(
        help: """
            URL workers call back, sent in execute messages. [env: RESONATE_SERVER_URL] \
            (default: http://HOST:PORT)
            """
    )
    var serverURL: String?

    @Option(
        help: """
            Promise-id lineage rules: colon (origin:lineage ids, as the Python SDK 0.8.1 mints) or dot (the older \
            dotted ids). [env: RESONATE_ID_RULES] (default: colon)
            """
    )
    var idRules: String?

    @Option(
        help:
            "How long a pending task waits before its execute is re-sent, e.g. 30s. [env: RESONATE_RETRY_TIMEOUT] (default: 30s)"
    )
    var retryTimeout: String?

    @Option(
        help: """
            How long a message stream (GET /poll) lives before the server ends it and the client reconnects, e.g. \
            4m; 0 never ends one. Clients with a time limit on a whole request (the official Python SDK's is \
            5 minutes) need an end before it. [env: RESONATE_POLL_STREAM_LIFETIME] (default: 4m)
            """
    )
    var pollStreamLifetime: String?

    @Option(
        help:
            "Largest accepted request body in bytes; larger bodies get 413. [env: RESONATE_MAX_BODY_SIZE] (default: 10485760)"
    )
    var maxBodySize: Int?

    @Option(
        help: """
            Require JWTs signed by this PEM public key (RSA, EC P-256/P-384 or Ed25519), or 'none' to accept \
            unsigned tokens (development only). [env: RESONATE_AUTH_PUBLICKEY] (default: no authentication)
            """
    )
    var authPublickey: String?

    @Option(help: "With auth: the 'iss' tokens must carry. [env: RESONATE_AUTH_ISS]")
    var authIss: String?

    @Option(help: "With auth: an audience the tokens' 'aud' must contain. [env: RESONATE_AUTH_AUD]")
    var authAud: String?

    @Option(help: "With auth: clock skew tolerated on 'exp' and 'nbf'. [env: RESONATE_AUTH_LEEWAY] (default: 60s)")
    var authLeeway: String?

    @Option(
        help: """
            Export traces over OTLP/HTTP to this collector, e.g. http://localhost:4318 (spans go to /v1/traces). \
            [env: RESONATE_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT] (default: no export)
            """
    )
    var otlpEndpoint: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: RESONATE_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Option(help: "Log line format: text or json. [env: RESONATE_LOG_FORMAT] (default: text)")
    var logFormat: String?

    /// Which store to open.
    enum StoreSetting: CustomStringConvertible {
        case sqlite(SQLiteStore.Location)
        case postgres(PostgresStore.Configuration)

        /// The store for logs; a PostgreSQL password is never shown.
        var description: String {
            switch self {
            case .sqlite(let location): location.description
            case .postgres(let configuration): configuration.description
            }
        }
    }

    /// The resolved settings.
    struct Resolved {
        var server: ServerConfiguration
        var engine: EngineConfiguration
        var store: StoreSetting
        var metricsPort: Int
        /// Where traces go (the full URL of the OTLP/HTTP traces endpoint), if anywhere.
        var tracesEndpoint: String?
        /// This server's id among replicas sharing a PostgreSQL database (set when the store is PostgreSQL).
        var replicaID: String?
        var logLevel: Logger.Level
        var logFormat: LogFormat
    }

    /// The JWT verifier the auth options describe, or `nil` without `--auth-publickey`. The reference server's
    /// environment names (`RESONATE_AUTH__PUBLICKEY`, with two underscores) are read too.
    private func authentication(_ setting: (String?, String) -> String?) throws -> JWTVerifier? {
        func value(_ option: String?, _ name: String) -> String? {
            setting(option, name)
                ?? setting(nil, name.replacingOccurrences(of: "RESONATE_AUTH_", with: "RESONATE_AUTH__"))
        }
        let issuer = value(authIss, "RESONATE_AUTH_ISS")
        let audience = value(authAud, "RESONATE_AUTH_AUD")
        let leewayText = value(authLeeway, "RESONATE_AUTH_LEEWAY")
        guard let keySetting = value(authPublickey, "RESONATE_AUTH_PUBLICKEY") else {
            if issuer != nil || audience != nil || leewayText != nil {
                throw ValidationError("--auth-iss, --auth-aud and --auth-leeway need --auth-publickey")
            }
            return nil
        }
        let key: JWTVerificationKey
        do {
            key = try JWTVerificationKey(publicKeySetting: keySetting)
        } catch {
            throw ValidationError("invalid --auth-publickey: \(error.message)")
        }
        var leeway = Duration.seconds(60)
        if let leewayText {
            guard let parsed = DurationText.parse(leewayText) else {
                throw ValidationError("invalid auth leeway '\(leewayText)': expected a duration such as 60s or 0s")
            }
            leeway = parsed
        }
        return JWTVerifier(key: key, issuer: issuer, audience: audience, leeway: leeway)
    }

    /// - Parameter allowPostgres: whether a `postgres://` store is accepted (`resonate dev` is SQLite-only).
    func resolve(defaultStore: String, forceDebug: Bool, allowPostgres: Bool = true) throws -> Resolved {
        let environment = ProcessInfo.processInfo.environment
        func setting(_ value: String?, _ name: String) -> String? {
            value ?? environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        /// A flag given on the command line or set in the environment (`1`, `true` or `yes`).
        func flag(_ value: Bool, _ name: String) -> Bool {
            value || ["1", "true", "yes"].contains(environment[name]?.lowercased() ?? "")
        }
        var server = ServerConfiguration()
        server.host = setting(host, "RESONATE_HOST") ?? server.host
        if let text = setting(port.map(String.init), "RESONATE_PORT") {
            guard let value = Int(text), (0...65535).contains(value) else {
                throw ValidationError("invalid port '\(text)': expected 0-65535")
            }
            server.port = value
        }
        server.serverURL = setting(serverURL, "RESONATE_SERVER_URL")
        if let text = setting(maxBodySize.map(String.init), "RESONATE_MAX_BODY_SIZE") {
            guard let value = Int(text), value >= 1024 else {
                throw ValidationError("invalid body size '\(text)': expected a number of bytes of at least 1024")
            }
            server.maximumBodySize = value
        }
        if let text = setting(pollStreamLifetime, "RESONATE_POLL_STREAM_LIFETIME") {
            guard let value = text == "0" ? .zero : DurationText.parse(text), value >= .zero else {
                throw ValidationError("invalid poll stream lifetime '\(text)': expected a duration such as 4m, or 0")
            }
            server.pollStreamLifetime = value == .zero ? nil : value
        }

        server.authentication = try authentication(setting)
        server.isDashboardEnabled = !flag(noUI, "RESONATE_NO_UI")

        var engine = EngineConfiguration()
        engine.isDebugEnabled = forceDebug || flag(debug, "RESONATE_DEBUG")
        if let text = setting(idRules, "RESONATE_ID_RULES") {
            guard let rules = IDRules(rawValue: text) else {
                throw ValidationError("invalid id rules '\(text)': expected colon or dot")
            }
            engine.idRules = rules
        }
        if let text = setting(retryTimeout, "RESONATE_RETRY_TIMEOUT") {
            guard let value = DurationText.parse(text), value > .zero else {
                throw ValidationError("invalid retry timeout '\(text)': expected a duration such as 30s")
            }
            engine.retryTimeout = value
        }

        let storeText = setting(store, "RESONATE_STORE") ?? defaultStore
        let poolSizeText = setting(storePoolSize.map(String.init), "RESONATE_STORE_POOL_SIZE")
        let writeBatchesText = setting(storeWriteBatches.map(String.init), "RESONATE_STORE_WRITE_BATCHES")
        let batchSizeText = setting(storeBatchSize.map(String.init), "RESONATE_STORE_BATCH_SIZE")
        let unprepared = flag(storeNoPreparedStatements, "RESONATE_STORE_NO_PREPARED_STATEMENTS")
        let storeSetting: StoreSetting
        if storeText == "sqlite::memory:" {
            storeSetting = .sqlite(.memory)
        } else if storeText.hasPrefix("sqlite:"), storeText.count > "sqlite:".count {
            storeSetting = .sqlite(.file(String(storeText.dropFirst("sqlite:".count))))
        } else if storeText.hasPrefix("postgres://") || storeText.hasPrefix("postgresql://") {
            guard allowPostgres else {
                throw ValidationError(
                    "resonate dev keeps its state in SQLite; use resonate serve --store postgres://… for PostgreSQL")
            }
            var configuration: PostgresStore.Configuration
            do {
                configuration = try PostgresStore.Configuration(url: storeText)
            } catch {
                throw ValidationError(error.message)
            }
            for (text, name, field) in [
                (poolSizeText, "store pool size", \PostgresStore.Configuration.maximumConnections),
                (writeBatchesText, "number of store write batches", \.concurrentBatches),
                (batchSizeText, "store batch size", \.maximumBatchSize),
            ] {
                guard let text else { continue }
                guard let value = Int(text), (1...1000).contains(value) else {
                    throw ValidationError("invalid \(name) '\(text)': expected 1-1000")
                }
                configuration[keyPath: field] = value
            }
            configuration.usesPreparedStatements = !unprepared
            storeSetting = .postgres(configuration)
        } else {
            let postgres = allowPostgres ? ", postgres://USER@HOST/DATABASE" : ""
            throw ValidationError(
                "invalid store '\(PostgresStore.Configuration.redacted(storeText))': expected sqlite:PATH, sqlite::memory:\(postgres)"
            )
        }
        if case .sqlite = storeSetting {
            for (text, option) in [
                (poolSizeText, "--store-pool-size"), (writeBatchesText, "--store-write-batches"),
                (batchSizeText, "--store-batch-size"), (unprepared ? "" : nil, "--store-no-prepared-statements"),
            ] where text != nil {
                throw ValidationError("\(option) applies only to a postgres:// store")
            }
        }

        var metrics = 9090
        if let text = setting(metricsPort.map(String.init), "RESONATE_METRICS_PORT") {
            guard let value = Int(text), (0...65535).contains(value) else {
                throw ValidationError("invalid metrics port '\(text)': expected 0-65535")
            }
            metrics = value
        }
        var tracesEndpoint: String?
        if let text = setting(otlpEndpoint, "RESONATE_OTLP_ENDPOINT") ?? setting(nil, "OTEL_EXPORTER_OTLP_ENDPOINT") {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("invalid OTLP endpoint '\(text)': expected a URL such as http://localhost:4318")
            }
            tracesEndpoint = text.hasSuffix("/") ? text + "v1/traces" : text + "/v1/traces"
        }
        let levelText = setting(logLevel, "RESONATE_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError("invalid log level '\(levelText)'")
        }
        let formatText = setting(logFormat, "RESONATE_LOG_FORMAT") ?? "text"
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw ValidationError("invalid log format '\(formatText)': expected text or json")
        }
        return Resolved(
            server: server,
            engine: engine,
            store: storeSetting,
            metricsPort: metrics,
            tracesEndpoint: tracesEndpoint,
            logLevel: level,
            logFormat: format
        )
    }
}
