// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
import ResonateProtocol

/// The tracked promises of ``Subscriptions``, their outcomes and their waiters, as a state machine: each event
/// returns the waiters its shell resumes.
///
/// Only tracked ids are kept, and of the settled ones only the most recent `settledCapacity`: the table is bounded
/// however many executions a process starts. Generic over its waiters so that tests can drive it with plain
/// values; ``Subscriptions`` uses continuations.
struct SubscriptionsState<Waiter> {
    private struct Entry {
        var outcome: Result<PromiseRecord, any Error>?
        var waiters: [Int: Waiter] = [:]
        /// Whether a listener was asked for; not while this process runs the execution itself.
        var listening: Bool
    }

    private var entries: [String: Entry] = [:]
    /// The executions this process runs now: their outcome reaches it without a listener (the fulfill's answer).
    private var running: Set<String> = []
    /// Settled ids, oldest first: the next to forget.
    private var settledOrder = Deque<String>()
    private var lastToken = 0
    let settledCapacity: Int

    init(settledCapacity: Int) {
        self.settledCapacity = max(1, settledCapacity)
    }

    /// Starts tracking `id`; `true` when the caller registers a listener now: `id` was not tracked yet, and this
    /// process does not run it. One that runs here gets its listener only if it leaves (``leave(_:)``).
    mutating func track(_ id: String) -> Bool {
        guard entries[id] == nil else { return false }
        let listening = !running.contains(id)
        entries[id] = Entry(listening: listening)
        return listening
    }

    /// This process runs the execution `id` (it holds the task's lease).
    mutating func run(_ id: String) {
        running.insert(id)
    }

    /// The execution `id` no longer runs here: it finished, suspended, lost its lease or was given back. `true`
    /// when a handle tracks it without a listener and it has no outcome: the caller registers one now, since the
    /// execution may end elsewhere.
    mutating func leave(_ id: String) -> Bool {
        guard running.remove(id) != nil, var entry = entries[id], entry.outcome == nil, !entry.listening else {
            return false
        }
        entry.listening = true
        entries[id] = entry
        return true
    }

    /// Stops tracking `id` if it has neither an outcome nor waiters (its listener could not be registered).
    mutating func untrackIfUnsettled(_ id: String) {
        if let entry = entries[id], entry.outcome == nil, entry.waiters.isEmpty {
            entries.removeValue(forKey: id)
        }
    }

    /// Records the outcome of a tracked `id`, once; returns its waiters, to resume with it. Untracked ids and ids
    /// with an outcome already are left as they are. The oldest outcomes beyond the capacity are forgotten.
    mutating func complete(_ id: String, with outcome: Result<PromiseRecord, any Error>) -> [Waiter] {
        guard var entry = entries[id], entry.outcome == nil else { return [] }
        entry.outcome = outcome
        let waiters = Array(entry.waiters.values)
        entry.waiters.removeAll()
        entries[id] = entry
        settledOrder.append(id)
        while settledOrder.count > settledCapacity, let oldest = settledOrder.popFirst() {
            entries.removeValue(forKey: oldest)
        }
        return waiters
    }

    /// What ``wait(_:token:waiter:isCancelled:)`` asks of the shell.
    enum WaitAction {
        /// Resume the waiter now: with the outcome, with `nil` (the id is not tracked: track it, register a
        /// listener and wait again), or with the cancellation.
        case resume(Result<PromiseRecord?, any Error>)
        /// Queued under its token until the id settles or the wait is cancelled.
        case waits
    }

    /// A token that names one wait, for ``cancelWait(_:token:)``.
    mutating func nextToken() -> Int {
        lastToken += 1
        return lastToken
    }

    mutating func wait(_ id: String, token: Int, waiter: Waiter, isCancelled: Bool) -> WaitAction {
        guard var entry = entries[id] else { return .resume(.success(nil)) }
        if let outcome = entry.outcome { return .resume(outcome.map { $0 }) }
        if isCancelled { return .resume(.failure(CancellationError())) }
        entry.waiters[token] = waiter
        entries[id] = entry
        return .waits
    }

    /// Removes a cancelled wait; returns its waiter to resume with the cancellation, unless it was resumed already.
    mutating func cancelWait(_ id: String, token: Int) -> Waiter? {
        entries[id]?.waiters.removeValue(forKey: token)
    }

    /// The settled record of `id`, if known.
    func settled(_ id: String) -> PromiseRecord? {
        guard case .success(let record)? = entries[id]?.outcome else { return nil }
        return record
    }

    /// The tracked ids that are not settled yet and have a listener (to register again after a reconnection).
    var pendingIDs: [String] {
        entries.filter { $0.value.outcome == nil && $0.value.listening }.map(\.key)
    }

    /// How many executions run here.
    var runningCount: Int { running.count }

    /// How many ids are tracked, settled or not.
    var trackedCount: Int { entries.count }
}
