// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import KafkaExampleSupport
import Logging
import Prometheus
import ResonateKafka
import ResonateMetricsEndpoint

/// The worker's Prometheus metrics, served at `GET /metrics` on `--metrics-port`.
///
/// Counters are counted by ``DispatchProgress`` as events happen; gauges (in flight, buffered, paused, lag per
/// partition) are read when scraped, so they cost nothing while nobody scrapes.
struct WorkerMetrics {
    let registry = PrometheusCollectorRegistry()

    /// The endpoint, as a Hummingbird application to run next to the worker's other services.
    func application(
        port: Int,
        inFlight: Permits,
        consumer: KafkaConsumer,
        logger: Logger
    ) -> some ApplicationProtocol {
        let registry = self.registry
        return MetricsEndpoint.application(registry: registry, host: "127.0.0.1", port: port, logger: logger) {
            Self.update(registry, inFlight: inFlight, consumer: consumer)
        }
    }

    private static func update(
        _ registry: PrometheusCollectorRegistry, inFlight: Permits, consumer: KafkaConsumer
    ) {
        registry.makeGauge(descriptor: Self.gauge("kafka_worker_in_flight", "workflows started and not yet finished"))
            .set(Double(inFlight.held))
        registry.makeGauge(descriptor: Self.gauge("kafka_worker_buffered", "fetched requests waiting for dispatch"))
            .set(Double(consumer.bufferedCount))
        registry.makeGauge(
            descriptor: Self.gauge("kafka_worker_fetch_paused", "1 while fetching is paused (the buffer stayed full)")
        )
        .set(consumer.isFetchPaused ? 1.0 : 0.0)
        for (partition, lag) in consumer.lag() {
            registry.makeGauge(
                descriptor: Self.gauge("kafka_consumer_lag", "requests in the partition not yet taken by this worker"),
                labels: [("topic", partition.topic), ("partition", "\(partition.partition)")]
            ).set(Double(lag))
        }
    }

    /// A gauge's name (without a unit suffix) and help text.
    static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
