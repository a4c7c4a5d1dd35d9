// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateThreads

/// A dedicated thread for librdkafka's blocking calls (`rd_kafka_consumer_poll`, `rd_kafka_flush`, …), so that
/// they never occupy a thread of Swift's cooperative pool.
///
/// `@unchecked Sendable`: the flags are guarded by `condition`.
final class PollThread: @unchecked Sendable {
    private let condition = ConditionLock()
    private var stopRequested = false
    private var finished = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Starts `body` on a new thread. `body` should return soon after ``shouldStop`` becomes true.
    init(name: String, body: @escaping @Sendable (PollThread) -> Void) {
        DedicatedThread.start(name: name) { [self] in
            body(self)
            self.markFinished()
        }
    }

    var shouldStop: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopRequested
    }

    func stop() {
        condition.lock()
        stopRequested = true
        condition.broadcast()
        condition.unlock()
    }

    private func markFinished() {
        condition.lock()
        finished = true
        let waiters = self.waiters
        self.waiters.removeAll()
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the thread's body has returned.
    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if finished {
                condition.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                condition.unlock()
            }
        }
    }
}
