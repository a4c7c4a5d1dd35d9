// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Prometheus
import Synchronization

/// What the dispatcher has done so far: for the progress line, and as Prometheus counters when metrics are on.
final class DispatchProgress: Sendable {
    enum Event: CaseIterable {
        /// A request was taken from the consumer.
        case seen
        /// Its workflow was started or attached to.
        case dispatched
        /// This worker saw the workflow finish (or fail).
        case completed
        /// The request was malformed (logged, dead-lettered if configured, committed).
        case rejected
    }

    struct Counts: Sendable, Equatable {
        var seen = 0
        var dispatched = 0
        var completed = 0
        var rejected = 0
    }

    private let counts = Mutex(Counts())
    private let counters: [Event: Counter]

    /// - Parameter registry: where to count the events as `kafka_worker_records_<event>_total`, if anywhere.
    init(registry: PrometheusCollectorRegistry? = nil) {
        var counters: [Event: Counter] = [:]
        if let registry {
            for event in Event.allCases {
                counters[event] = registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        metricName: "kafka_worker_records_\(event)", unitName: "total",
                        helpText: "requests \(event) by this worker"))
            }
        }
        self.counters = counters
    }

    func record(_ event: Event) {
        counts.withLock { counts in
            switch event {
            case .seen: counts.seen += 1
            case .dispatched: counts.dispatched += 1
            case .completed: counts.completed += 1
            case .rejected: counts.rejected += 1
            }
        }
        counters[event]?.increment()
    }

    var current: Counts { counts.withLock { $0 } }
}
