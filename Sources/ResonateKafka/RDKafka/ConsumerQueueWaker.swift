// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CRdKafka
import Synchronization

/// Makes a `rd_kafka_consumer_poll` that is blocked waiting return at once, from any thread.
///
/// A consumer whose fetching is paused waits in that call for up to its timeout; when the application drains the
/// buffer, fetching should resume now, not when the wait ends (each pause would otherwise cost a whole timeout, and
/// a small buffer would cap the consumer at a few messages per timeout).
///
/// The queue reference is released under the lock before the client is destroyed, so a wake racing with the
/// client's close is a no-op rather than a use after free.
final class ConsumerQueueWaker: Sendable {
    private let queue: Mutex<OpaquePointer?>

    /// Takes a reference to `handle`'s consumer queue (the one `rd_kafka_consumer_poll` waits on).
    init(_ handle: RDKafkaHandle) {
        queue = Mutex(rd_kafka_queue_get_consumer(handle.pointer))
    }

    /// Ends the current or next wait of `rd_kafka_consumer_poll`, which then returns no message.
    func wake() {
        queue.withLock { queue in
            if let queue { rd_kafka_queue_yield(queue) }
        }
    }

    /// Releases the queue reference; call it before destroying the client.
    func close() {
        queue.withLock { queue in
            if let queue { rd_kafka_queue_destroy(queue) }
            queue = nil
        }
    }
}
