// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// The promises this process waits on through handles, and who waits.
///
/// Settled records arrive from `unblock` messages, from listener registrations that find the promise already
/// settled, and from direct reads; whichever comes first completes every waiter. Only tracked ids are kept: a
/// settled record nobody asked for is not stored, and of the settled ones only the most recent
/// ``settledCapacity`` are remembered, so a process that starts millions of executions keeps a bounded table.
/// A handle whose outcome was forgotten asks the server again (its listener registration answers with the
/// settled record).
///
/// A handle on an execution that this process runs registers no listener while it runs here: the answer to the
/// task's fulfill settles it. Only if the execution leaves (suspends, loses its lease, is given back) is a
/// listener registered, since it may then finish elsewhere. A Kafka worker that starts and awaits one execution
/// per record saves a request per record this way.
final class Subscriptions: Sendable {
    private typealias Waiter = CheckedContinuation<PromiseRecord?, any Error>

    private let state: Mutex<SubscriptionsState<Waiter>>
    /// How many settled outcomes are remembered.
    let settledCapacity: Int

    init(settledCapacity: Int = 1_024) {
        let state = SubscriptionsState<Waiter>(settledCapacity: settledCapacity)
        self.settledCapacity = state.settledCapacity
        self.state = Mutex(state)
    }

    /// Starts tracking `id`; `true` when the caller registers a listener now (see ``SubscriptionsState/track(_:)``).
    @discardableResult
    func track(_ id: String) -> Bool {
        state.withLock { $0.track(id) }
    }

    /// This process runs the execution `id`: a handle on it needs no listener until it ``leave(_:)``s.
    func run(_ id: String) {
        state.withLock { $0.run(id) }
    }

    /// The execution `id` no longer runs here; `true` when the caller registers a listener for a handle now.
    func leave(_ id: String) -> Bool {
        state.withLock { $0.leave(id) }
    }

    /// Stops tracking `id` if it has neither an outcome nor waiters (its listener could not be registered).
    func untrackIfUnsettled(_ id: String) {
        state.withLock { $0.untrackIfUnsettled(id) }
    }

    /// Records a settled promise that a new handle refers to, so its outcome needs no further request.
    func remember(_ record: PromiseRecord) {
        guard record.state.isSettled else { return }
        track(record.id)
        update(record)
    }

    /// Records a promise's state: a settled record completes the waiters of a tracked id.
    func update(_ record: PromiseRecord) {
        guard record.state.isSettled else { return }
        complete(record.id, with: .success(record))
    }

    /// Fails the waiters of a tracked `id` (the promise is gone).
    func fail(_ id: String, with error: any Error) {
        complete(id, with: .failure(error))
    }

    private func complete(_ id: String, with outcome: Result<PromiseRecord, any Error>) {
        for waiter in state.withLock({ $0.complete(id, with: outcome) }) { waiter.resume(with: outcome.map { $0 }) }
    }

    /// The settled record of `id`, if known.
    func settled(_ id: String) -> PromiseRecord? {
        state.withLock { $0.settled(id) }
    }

    /// The tracked ids that are not settled yet.
    var pendingIDs: [String] {
        state.withLock { $0.pendingIDs }
    }

    /// How many ids are tracked, settled or not.
    var trackedCount: Int { state.withLock { $0.trackedCount } }

    /// Waits until the tracked `id` settles; `nil` at once when `id` is not tracked (never was, or its outcome
    /// was forgotten): the caller tracks it and registers a listener first.
    func wait(_ id: String) async throws -> PromiseRecord? {
        let token = state.withLock { $0.nextToken() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiter) in
                let action = state.withLock {
                    $0.wait(id, token: token, waiter: continuation, isCancelled: Task.isCancelled)
                }
                if case .resume(let result) = action { continuation.resume(with: result) }
            }
        } onCancel: {
            state.withLock { $0.cancelWait(id, token: token) }?.resume(throwing: CancellationError())
        }
    }
}
