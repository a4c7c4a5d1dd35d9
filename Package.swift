// swift-tools-version:6.1
import PackageDescription

/// librdkafka for the Kafka modules: the static build of scripts/setup-kafka.sh under .build/librdkafka/install,
/// or the prefix in RDKAFKA_PREFIX. Given by path rather than found through pkg-config, so that building anything
/// else (the server, the SDK) neither looks for it nor warns about it.
let rdkafkaPrefix = Context.environment["RDKAFKA_PREFIX"] ?? Context.packageDirectory + "/.build/librdkafka/install"
let rdkafkaSwiftSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(rdkafkaPrefix)/include"])]
/// librdkafka and what its static build links against (its pkg-config file's Requires and Libs).
let rdkafkaLinkerSettings: [LinkerSetting] =
    ["rdkafka", "ssl", "crypto", "z", "zstd", "lz4", "m", "dl", "pthread", "rt"].map { .linkedLibrary($0) }
    + [.unsafeFlags(["-L\(rdkafkaPrefix)/lib"])]

let package = Package(
    name: "resonate-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ResonateProtocol", targets: ["ResonateProtocol"]),
        .library(name: "ResonateEngine", targets: ["ResonateEngine"]),
        .library(name: "ResonateServer", targets: ["ResonateServer"]),
        .library(name: "Resonate", targets: ["Resonate"]),
        .library(name: "ResonateTesting", targets: ["ResonateTesting"]),
        .library(name: "ResonateKafka", targets: ["ResonateKafka"]),
        .library(name: "ResonatePostgres", targets: ["ResonatePostgres"]),
        .executable(name: "resonate", targets: ["resonate"]),
    ],
    dependencies: [
        // The HTTP server: RPC route, SSE streams, health and metrics endpoints.
        // Neither trait is used: FullFoundation would link all of Foundation (and ICU) into every program that
        // serves metrics, the Kafka worker included; ConfigurationSupport would build swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0", traits: []),
        // HTTP push delivery from the server, and the SDK's transport.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The `resonate` command line.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        // Logging facade used by every module; bootstrapped only in executables.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        // Metrics facade and its Prometheus backend.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        // Graceful start-up and shutdown of long-running services.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // JWT signature verification for `--auth-publickey` (RSA, ECDSA, Ed25519).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        // HTTP field names (shared with Hummingbird), to read trace context from request headers.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // Distributed tracing API (spans, context propagation) and its OTLP/HTTP exporter, used when configured.
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.2.0"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.0.0", traits: ["OTLPHTTP"]),
        // Deque for the Kafka consumer's buffer and the SDK's record of settled handles.
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // ByteBuffer and event loops shared with Hummingbird and async-http-client.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // The PostgreSQL store: a pooled async client, bound parameters, SCRAM authentication.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        // `swift package generate-documentation`: the SDK's DocC catalog, built in CI.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // TLS settings of the PostgreSQL store's connections (already required by postgres-nio).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // Templates of the dashboard's server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // SQLite from the system (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // Wire types, ids, addresses, JSON and cron. No I/O.
        .target(name: "ResonateProtocol"),
        // Operating-system threads and a condition lock for blocking work, without linking all of Foundation.
        .target(name: "ResonateThreads"),
        // The durable state machine over a `Store`, the SQLite store, timers and group commit.
        .target(
            name: "ResonateEngine",
            dependencies: [
                "ResonateProtocol",
                "ResonateThreads",
                "CSQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The PostgreSQL store, for several server replicas sharing one database.
        .target(
            name: "ResonatePostgres",
            dependencies: [
                "ResonateProtocol",
                "ResonateEngine",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The Prometheus endpoint on its own port, for the server and for programs next to it (the Kafka worker),
        // which need not link the server for it.
        .target(
            name: "ResonateMetricsEndpoint",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Hummingbird application: `POST /`, SSE, HTTP push, metrics.
        .target(
            name: "ResonateServer",
            dependencies: [
                "ResonateProtocol",
                "ResonateEngine",
                "ResonateAuth",
                "ResonateMetricsEndpoint",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // The SDK: durable functions against a server, or with the engine in-process (local mode).
        .target(
            name: "Resonate",
            dependencies: [
                "ResonateProtocol",
                "ResonateEngine",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // JWT verification and the prefix authorization rules of PROTOCOL §1.6.
        .target(
            name: "ResonateAuth",
            dependencies: [
                "ResonateProtocol",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // librdkafka's headers and library, at rdkafkaPrefix (above).
        .systemLibrary(name: "CRdKafka"),
        // A Kafka client over librdkafka: consumer, producer, topic administration. No C types in its API.
        .target(
            name: "ResonateKafka",
            dependencies: [
                "CRdKafka",
                "ResonateThreads",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: rdkafkaSwiftSettings,
            linkerSettings: rdkafkaLinkerSettings
        ),
        // Test support for applications: an in-process server, JWTs for it, and a bounded wait.
        .target(
            name: "ResonateTesting",
            dependencies: [
                "ResonateAuth",
                "ResonateEngine",
                "ResonateServer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The physical-limit probes `resonate bench` measures against (disk fsyncs, PostgreSQL WAL flushes): the
        // benchmark's own machinery, so not a product.
        .target(
            name: "ResonateBenchSupport",
            dependencies: [
                "ResonateEngine",
                "ResonatePostgres",
                "ResonateProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // This repository's own test machinery (child processes, PostgreSQL, a TCP balancer, a local HTTP server,
        // raw sockets): shared by the test targets, not a product.
        .target(
            name: "ResonateTestSupport",
            dependencies: [
                "ResonateTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support/ResonateTestSupport"
        ),
        .executableTarget(
            name: "resonate",
            dependencies: [
                "Resonate",
                "ResonateAuth",
                "ResonateBenchSupport",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "ResonateProtocol",
                "ResonateEngine",
                "ResonatePostgres",
                "ResonateServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Examples, built with the package so the README's code always compiles.
        .executableTarget(name: "countdown", dependencies: ["Resonate"], path: "Examples/Countdown"),
        .executableTarget(name: "trip-booking", dependencies: ["Resonate"], path: "Examples/TripBooking"),
        .executableTarget(name: "greeter", dependencies: ["Resonate"], path: "Examples/Greeter"),
        .target(name: "ExampleSupport", path: "Examples/Support"),
        .executableTarget(
            name: "lb-worker",
            dependencies: [
                "Resonate", "ExampleSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/LoadBalancing/Worker"
        ),
        .executableTarget(
            name: "lb-client",
            dependencies: ["Resonate", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/LoadBalancing/Client"
        ),
        // The durable Kafka worker: topic setup, a producer of deletion requests, and the worker.
        .target(
            name: "KafkaExampleSupport",
            dependencies: [
                "CSQLite", "ResonateKafka", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Examples/Kafka/Shared",
            swiftSettings: rdkafkaSwiftSettings
        ),
        .executableTarget(
            name: "kafka-setup-topics",
            dependencies: [
                "ExampleSupport", "KafkaExampleSupport", "ResonateKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/Kafka/SetupTopics",
            swiftSettings: rdkafkaSwiftSettings
        ),
        .executableTarget(
            name: "kafka-producer",
            dependencies: [
                "ExampleSupport", "KafkaExampleSupport", "ResonateKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/Kafka/Producer",
            swiftSettings: rdkafkaSwiftSettings
        ),
        .executableTarget(
            name: "kafka-worker",
            dependencies: [
                "ExampleSupport", "KafkaExampleSupport", "Resonate", "ResonateKafka", "ResonateProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "ResonateMetricsEndpoint",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Examples/Kafka/Worker",
            swiftSettings: rdkafkaSwiftSettings
        ),
        // A worker program the SDK's process-level and cross-language tests start and kill.
        .executableTarget(
            name: "sdk-test-worker",
            dependencies: [
                "Resonate", "ResonateBenchSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/Support/SDKTestWorker"
        ),
        .testTarget(name: "ResonateProtocolTests", dependencies: ["ResonateProtocol"], exclude: ["Fixtures"]),
        .testTarget(name: "ResonateThreadsTests", dependencies: ["ResonateThreads"]),
        .testTarget(
            name: "ResonateEngineTests",
            dependencies: [
                "ResonateProtocol", "ResonateEngine", "ResonatePostgres", "ResonateTesting", "ResonateTestSupport",
            ]
        ),
        .testTarget(
            name: "ResonatePostgresTests",
            dependencies: [
                "Resonate",
                "ResonateBenchSupport",
                "ResonateProtocol",
                "ResonateEngine",
                "ResonatePostgres",
                "ResonateTesting",
                "ResonateTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "ResonateAuthTests", dependencies: ["ResonateAuth"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ResonateKafkaTests",
            dependencies: [
                "CRdKafka",
                "ResonateKafka",
                "ResonateTesting",
                "ResonateTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: rdkafkaSwiftSettings
        ),
        .testTarget(
            name: "ResonateTests",
            dependencies: [
                "Resonate",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "ResonateTesting",
                "ResonateTestSupport",
                "ResonateProtocol",
                "ResonateEngine",
                "ResonateServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KafkaWorkerTests",
            dependencies: [
                "KafkaExampleSupport",
                "Resonate",
                "ResonateKafka",
                "ResonateProtocol",
                "ResonateTesting",
                "ResonateTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: rdkafkaSwiftSettings
        ),
        // The `resonate` client commands as real processes against `resonate dev` and Swift SDK workers.
        .testTarget(
            name: "ResonateCLITests",
            dependencies: [
                "Resonate",
                "ResonateTesting",
                "ResonateTestSupport",
                "ResonateProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ResonateServerTests",
            dependencies: [
                "ResonateAuth",
                "ResonateTesting",
                "ResonateTestSupport",
                "ResonateProtocol",
                "ResonateEngine",
                "ResonatePostgres",
                "ResonateServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
            .enableUpcomingFeature("InternalImportsByDefault"),
            .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
        ]
}
