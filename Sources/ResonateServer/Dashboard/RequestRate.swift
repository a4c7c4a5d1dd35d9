// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Requests per second over the last ten whole seconds, for the dashboard's overview (Prometheus has its own
/// counter, which a process cannot read back).
final class RequestRate: Sendable {
    private struct Buckets {
        /// Requests counted in each of the last ten seconds, by second modulo ten.
        var counts = [Int](repeating: 0, count: 10)
        /// The second each bucket belongs to.
        var seconds = [Int64](repeating: -1, count: 10)
    }

    private let buckets = Mutex(Buckets())
    private let clock: @Sendable () -> Int64

    /// - Parameter clock: milliseconds since the epoch.
    init(clock: @escaping @Sendable () -> Int64) {
        self.clock = clock
    }

    func record() {
        let second = clock() / 1000
        buckets.withLock { buckets in
            let index = Int(second % 10)
            if buckets.seconds[index] != second {
                buckets.seconds[index] = second
                buckets.counts[index] = 0
            }
            buckets.counts[index] += 1
        }
    }

    /// The mean rate over the ten seconds before the current one.
    func perSecond() -> Double {
        let current = clock() / 1000
        let total = buckets.withLock { buckets in
            zip(buckets.seconds, buckets.counts).reduce(0) { sum, bucket in
                bucket.0 < current && bucket.0 >= current - 10 ? sum + bucket.1 : sum
            }
        }
        return Double(total) / 10
    }
}
