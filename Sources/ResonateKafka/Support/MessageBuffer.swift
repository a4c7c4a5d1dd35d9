// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
import Synchronization

/// A queue between a poll thread and one async reader at a time.
///
/// It never blocks the poll thread, which must keep serving the consumer group; the bound is kept by the poll
/// thread (``FetchGate``), which stops taking messages once ``count`` reaches the capacity and pauses the
/// partitions if it stays there, so it is exceeded at most by the few messages librdkafka hands over before a
/// pause takes effect.
final class MessageBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items = Deque<Element>()
        var isFinished = false
        var waiter: CheckedContinuation<Element?, Never>?
    }

    private let state = Mutex(State())
    private let onTake: @Sendable (_ remaining: Int) -> Void

    /// - Parameter onTake: runs each time the reader takes a buffered element, with how many remain (outside the
    ///   lock, on the reader's task); the poll thread uses it to learn that there is room again.
    init(onTake: @escaping @Sendable (_ remaining: Int) -> Void = { _ in }) {
        self.onTake = onTake
    }

    /// Adds an element (to the waiting reader, if any); `false` when the buffer was finished.
    func append(_ element: Element) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Element?, Never>?) in
            guard !state.isFinished else { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            state.items.append(element)
            return (true, nil)
        }
        waiter?.resume(returning: element)
        return accepted
    }

    /// How many elements wait for the reader.
    var count: Int { state.withLock { $0.items.count } }

    /// The next element; `nil` once the buffer is finished and empty, or when the waiting task is cancelled.
    func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let (ready, remaining) = state.withLock { state -> (Element??, Int?) in
                    if let element = state.items.popFirst() { return (.some(element), state.items.count) }
                    if state.isFinished || Task.isCancelled { return (.some(nil), nil) }
                    state.waiter = continuation
                    return (nil, nil)
                }
                if let remaining { onTake(remaining) }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Ends the sequence: the reader gets the remaining elements, then `nil`.
    func finish() {
        let waiter = state.withLock { state in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
