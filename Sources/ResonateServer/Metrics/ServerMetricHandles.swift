// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Metrics
import Synchronization

/// The per-request and per-message metrics, each made once per label set and reused.
///
/// Making a swift-metrics handle asks the backend's factory for it: a lock, a registry lookup and the label
/// strings, on every request. Kinds and statuses are few, so the handles are cached here instead.
final class ServerMetricHandles: Sendable {
    private struct RequestKey: Hashable {
        var kind: String
        var status: Int
    }

    private let requestCounters = Mutex<[RequestKey: Counter]>([:])
    private let requestTimers = Mutex<[String: Metrics.Timer]>([:])
    private let messageCounters = Mutex<[String: Counter]>([:])

    /// `resonate_request_total{kind,status}`.
    func requests(kind: String, status: Int) -> Counter {
        requestCounters.withLock { counters in
            let key = RequestKey(kind: kind, status: status)
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "resonate_request_total", dimensions: [("kind", kind), ("status", String(status))])
            counters[key] = counter
            return counter
        }
    }

    /// `resonate_request_duration_seconds{kind}`.
    func requestDuration(kind: String) -> Metrics.Timer {
        requestTimers.withLock { timers in
            if let timer = timers[kind] { return timer }
            let timer = Metrics.Timer(label: "resonate_request_duration_seconds", dimensions: [("kind", kind)])
            timers[kind] = timer
            return timer
        }
    }

    /// `resonate_messages_total{kind}`.
    func messages(kind: String) -> Counter {
        messageCounters.withLock { counters in
            if let counter = counters[kind] { return counter }
            let counter = Counter(label: "resonate_messages_total", dimensions: [("kind", kind)])
            counters[kind] = counter
            return counter
        }
    }
}
