// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Synchronization

/// The state librdkafka's callbacks reach through the configuration's opaque pointer.
///
/// Callbacks run on librdkafka's threads and on our poll threads; they only take short locks and never await.
final class ClientContext: Sendable {
    let logger: Logger
    private let deliveries = Mutex(Deliveries())
    /// The partitions a consumer holds, kept current by the rebalance callback.
    let assignment = Mutex(Set<KafkaTopicPartition>())
    /// Whether a consumer has paused fetching (its buffer is full); partitions assigned meanwhile are paused too.
    let isFetchPaused = Atomic<Bool>(false)

    private struct Deliveries {
        var nextID: UInt = 1
        var pending: [UInt: CheckedContinuation<KafkaDeliveryReport, any Error>] = [:]
        var isClosed = false
    }

    init(logger: Logger) {
        self.logger = logger
    }

    /// Registers a send awaiting its delivery report; `nil` once the producer is closed.
    func registerDelivery(_ continuation: CheckedContinuation<KafkaDeliveryReport, any Error>) -> UInt? {
        deliveries.withLock { deliveries in
            guard !deliveries.isClosed else { return nil }
            let id = deliveries.nextID
            deliveries.nextID += 1
            deliveries.pending[id] = continuation
            return id
        }
    }

    func takeDelivery(_ id: UInt) -> CheckedContinuation<KafkaDeliveryReport, any Error>? {
        deliveries.withLock { $0.pending.removeValue(forKey: id) }
    }

    /// Fails every pending send and refuses new ones.
    func closeDeliveries(with error: KafkaError) {
        let pending = deliveries.withLock { deliveries in
            deliveries.isClosed = true
            defer { deliveries.pending.removeAll() }
            return Array(deliveries.pending.values)
        }
        for continuation in pending { continuation.resume(throwing: error) }
    }
}
