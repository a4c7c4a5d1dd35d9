// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// The promises this process waits on through handles, and who waits.
///
/// Settled records arrive from `unblock` messages, from listener registrations that find the promise already
/// settled, and from direct reads; whichever comes first completes every waiter.
final class Subscriptions: Sendable {
    private struct Entry {
        var outcome: Result<PromiseRecord, any Error>?
        var waiters: [Int: CheckedContinuation<PromiseRecord, any Error>] = [:]
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())

    /// Starts tracking `id`; `true` if it was not tracked yet.
    @discardableResult
    func track(_ id: String) -> Bool {
        state.withLock { state in
            guard state.entries[id] == nil else { return false }
            state.entries[id] = Entry()
            return true
        }
    }

    /// Records a promise's state; settled records complete the waiters.
    func update(_ record: PromiseRecord) {
        guard record.state.isSettled else { return }
        complete(record.id, with: .success(record))
    }

    /// Fails the waiters of `id` (the promise is gone).
    func fail(_ id: String, with error: any Error) {
        complete(id, with: .failure(error))
    }

    private func complete(_ id: String, with outcome: Result<PromiseRecord, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<PromiseRecord, any Error>] in
            var entry = state.entries[id] ?? Entry()
            guard entry.outcome == nil else { return [] }
            entry.outcome = outcome
            let waiters = Array(entry.waiters.values)
            entry.waiters.removeAll()
            state.entries[id] = entry
            return waiters
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }

    /// The settled record of `id`, if known.
    func settled(_ id: String) -> PromiseRecord? {
        state.withLock { try? $0.entries[id]?.outcome?.get() }
    }

    /// The tracked ids that are not settled yet.
    var pendingIDs: [String] {
        state.withLock { $0.entries.filter { $0.value.outcome == nil }.map(\.key) }
    }

    /// Waits until `id` settles.
    func wait(_ id: String) async throws -> PromiseRecord {
        let token = state.withLock { state -> Int in
            state.nextToken += 1
            return state.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PromiseRecord, any Error>) in
                let ready = state.withLock { state -> Result<PromiseRecord, any Error>? in
                    var entry = state.entries[id] ?? Entry()
                    if let outcome = entry.outcome { return outcome }
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
