// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
import Foundation

/// A bounded queue between a poll thread (which blocks while it is full) and one async reader at a time.
///
/// The blocking is the backpressure: while the application is behind, the poll thread stops fetching, and
/// librdkafka stops fetching once its own queues fill.
///
/// `@unchecked Sendable`: all state is guarded by `condition`.
final class MessageBuffer<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items = Deque<Element>()
    private var isFinished = false
    private var waiter: CheckedContinuation<Element?, Never>?
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds an element, waiting while the buffer is full; `false` when the buffer was finished meanwhile.
    /// `shouldGiveUp` is checked while waiting, so a stopping poll thread does not wait forever.
    func put(_ element: Element, shouldGiveUp: () -> Bool) -> Bool {
        condition.lock()
        while items.count >= capacity && !isFinished {
            if shouldGiveUp() {
                condition.unlock()
                return false
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
        }
        guard !isFinished else {
            condition.unlock()
            return false
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: element)
            return true
        }
        items.append(element)
        condition.unlock()
        return true
    }

    /// Whether there is room for another element (the poll thread checks before fetching).
    var hasRoom: Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.count < capacity
    }

    /// The next element; `nil` once the buffer is finished and empty, or when the waiting task is cancelled.
    func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                condition.lock()
                if let element = items.popFirst() {
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: element)
                } else if isFinished || Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let waiter = self.waiter
            self.waiter = nil
            condition.unlock()
            waiter?.resume(returning: nil)
        }
    }

    /// Ends the sequence: the consumer gets the remaining elements, then `nil`.
    func finish() {
        condition.lock()
        isFinished = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }
}
