// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Hummingbird
public import Logging
import NIOCore
public import Prometheus

/// Builds the Prometheus exposition endpoint (`GET /metrics`) served on its own port: the server's, and any
/// program's that runs next to it (the Kafka worker's).
///
/// ```swift
/// let endpoint = MetricsEndpoint.application(registry: registry, host: "127.0.0.1", port: 9464, logger: logger) {
///     queueDepth.set(Double(queue.count))   // gauges read when scraped
/// }
/// // run `endpoint` as a Service in the program's ServiceGroup
/// ```
public enum MetricsEndpoint {
    /// - Parameter beforeScrape: runs before each scrape, to set gauges from current state.
    public static func application(
        registry: PrometheusCollectorRegistry,
        host: String,
        port: Int,
        logger: Logger,
        beforeScrape: @escaping @Sendable () async -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            // Gauges of stored state are read when scraped: fresh, and no cost while nobody scrapes.
            await beforeScrape()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16 << 10)
            registry.emit(into: &bytes)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "resonate-metrics"),
            logger: logger
        )
    }
}
