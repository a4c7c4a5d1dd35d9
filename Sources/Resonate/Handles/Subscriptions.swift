// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
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
final class Subscriptions: Sendable {
    private struct Entry {
        var outcome: Result<PromiseRecord, any Error>?
        var waiters: [Int: CheckedContinuation<PromiseRecord?, any Error>] = [:]
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Settled ids, oldest first: the next to forget.
        var settledOrder = Deque<String>()
        var nextToken = 0
    }

    private let state = Mutex(State())
    /// How many settled outcomes are remembered.
    let settledCapacity: Int

    init(settledCapacity: Int = 1_024) {
        self.settledCapacity = max(1, settledCapacity)
    }

    /// Starts tracking `id`; `true` if it was not tracked yet (the caller then registers a listener).
    @discardableResult
    func track(_ id: String) -> Bool {
        state.withLock { state in
            guard state.entries[id] == nil else { return false }
            state.entries[id] = Entry()
            return true
        }
    }

    /// Stops tracking `id` if it has neither an outcome nor waiters (its listener could not be registered).
    func untrackIfUnsettled(_ id: String) {
        state.withLock { state in
            if let entry = state.entries[id], entry.outcome == nil, entry.waiters.isEmpty {
                state.entries.removeValue(forKey: id)
            }
        }
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
        let waiters = state.withLock { state -> [CheckedContinuation<PromiseRecord?, any Error>] in
            guard var entry = state.entries[id], entry.outcome == nil else { return [] }
            entry.outcome = outcome
            let waiters = Array(entry.waiters.values)
            entry.waiters.removeAll()
            state.entries[id] = entry
            state.settledOrder.append(id)
            while state.settledOrder.count > settledCapacity, let oldest = state.settledOrder.popFirst() {
                state.entries.removeValue(forKey: oldest)
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(with: outcome.map { $0 }) }
    }

    /// The settled record of `id`, if known.
    func settled(_ id: String) -> PromiseRecord? {
        state.withLock { try? $0.entries[id]?.outcome?.get() }
    }

    /// The tracked ids that are not settled yet.
    var pendingIDs: [String] {
        state.withLock { $0.entries.filter { $0.value.outcome == nil }.map(\.key) }
    }

    /// How many ids are tracked, settled or not.
    var trackedCount: Int { state.withLock { $0.entries.count } }

    /// Waits until the tracked `id` settles; `nil` at once when `id` is not tracked (never was, or its outcome
    /// was forgotten): the caller tracks it and registers a listener first.
    func wait(_ id: String) async throws -> PromiseRecord? {
        let token = state.withLock { state -> Int in
            state.nextToken += 1
            return state.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<PromiseRecord?, any Error>) in
                let ready = state.withLock { state -> Result<PromiseRecord?, any Error>? in
                    guard var entry = state.entries[id] else { return .success(nil) }
                    if let outcome = entry.outcome { return outcome.map { $0 } }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    entry.waiters[token] = continuation
                    state.entries[id] = entry
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.entries[id]?.waiters.removeValue(forKey: token) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
