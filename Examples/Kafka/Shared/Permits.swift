// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
import Synchronization

/// A counting semaphore for tasks: at most `count` holders at once, the others wait in arrival order.
///
/// ```swift
/// let inFlight = Permits(100)
/// try await inFlight.acquire()   // waits while 100 are held; throws CancellationError if cancelled
/// defer { inFlight.release() }
/// ```
public final class Permits: Sendable {
    private struct State {
        var available: Int
        var held = 0
        var waiters = Deque<(id: Int, continuation: CheckedContinuation<Void, any Error>)>()
        var nextWaiterID = 0
    }

    private let state: Mutex<State>

    public init(_ count: Int) {
        state = Mutex(State(available: max(1, count)))
    }

    /// Takes a permit, waiting for one to be released if none is free.
    public func acquire() async throws {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0, state.waiters.isEmpty {
                        state.available -= 1
                        state.held += 1
                        return .success(())
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Gives a permit back: to the longest waiter, if any.
    public func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if let waiter = state.waiters.popFirst() { return waiter.continuation }
            state.available += 1
            state.held -= 1
            return nil
        }
        next?.resume()
    }

    /// How many permits are held.
    public var held: Int { state.withLock { $0.held } }

    /// How many tasks wait for a permit.
    public var waiting: Int { state.withLock { $0.waiters.count } }
}
