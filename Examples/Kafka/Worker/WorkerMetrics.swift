// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import Logging
import NIOCore
import Prometheus
import ResonateKafka

/// The worker's Prometheus metrics, served at `GET /metrics` on `--metrics-port`.
///
/// Counters are counted by ``DispatchProgress`` as events happen; gauges (in flight, buffered, paused, lag per partition) are read when
/// scraped, so they cost nothing while nobody scrapes.
struct WorkerMetrics {
    let registry = PrometheusCollectorRegistry()

    /// The endpoint, as a Hummingbird application to run next to the worker's other services.
    func application(
        port: Int,
        progress: DispatchProgress,
        consumer: KafkaConsumer,
        logger: Logger
    ) -> some ApplicationProtocol {
        let registry = self.registry
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Self.update(registry, progress: progress, consumer: consumer)
            var bytes: [UInt8] = []
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
                address: .hostname("127.0.0.1", port: port), serverName: "kafka-worker-metrics"),
            logger: logger
        )
    }

    private static func update(
        _ registry: PrometheusCollectorRegistry, progress: DispatchProgress, consumer: KafkaConsumer
    ) {
        registry.makeGauge(name: "kafka_worker_in_flight", help: "workflows started and not yet finished")
            .set(Double(progress.current.inFlight))
        registry.makeGauge(name: "kafka_worker_buffered", help: "fetched requests waiting for dispatch")
            .set(Double(consumer.bufferedCount))
        registry.makeGauge(name: "kafka_worker_fetch_paused", help: "1 while fetching is paused (buffer full)")
            .set(consumer.isFetchPaused ? 1.0 : 0.0)
        for (partition, lag) in consumer.lag() {
            registry.makeGauge(
                name: "kafka_consumer_lag",
                labels: [("topic", partition.topic), ("partition", "\(partition.partition)")],
                help: "requests in the partition not yet taken by this worker"
            ).set(Double(lag))
        }
    }
}
