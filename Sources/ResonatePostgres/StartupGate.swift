// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Holds back store operations until the schema is migrated, and fails them once the store cannot serve.
///
/// The engine starts next to the store in one service group and reads the store at once (lease counts, the
/// outbox), so those first reads must wait for ``PostgresStore/run()`` to finish its migrations rather than meet
/// tables that do not exist yet.
final class StartupGate: Sendable {
    private enum State {
        case starting(waiters: [Int: CheckedContinuation<Void, any Error>], nextToken: Int)
        case open
        case closed(PostgresStoreError)
    }

    private let state = Mutex(State.starting(waiters: [:], nextToken: 0))

    /// Returns once the gate is open; throws if it closed, or when the waiting task is cancelled.
    func wait() async throws {
        switch state.withLock({ $0 }) {
        case .open: return
        case .closed(let error): throw error
        case .starting: break
        }
        let token = state.withLock { state -> Int in
            guard case .starting(let waiters, let next) = state else { return -1 }
            state = .starting(waiters: waiters, nextToken: next + 1)
            return next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    switch state {
                    case .open:
                        return .success(())
                    case .closed(let error):
                        return .failure(error)
                    case .starting(var waiters, let next):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[token] = continuation
                        state = .starting(waiters: waiters, nextToken: next)
                        return nil
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard case .starting(var waiters, let next) = state else { return nil }
                let continuation = waiters.removeValue(forKey: token)
                state = .starting(waiters: waiters, nextToken: next)
                return continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Lets every waiting and future operation through.
    func open() {
        for waiter in transition(to: .open) { waiter.resume() }
    }

    /// Fails every waiting and future operation with `error`.
    func close(_ error: PostgresStoreError) {
        for waiter in transition(to: .closed(error)) { waiter.resume(throwing: error) }
    }

    private func transition(to newState: State) -> [CheckedContinuation<Void, any Error>] {
        state.withLock { state in
            var woken: [CheckedContinuation<Void, any Error>] = []
            if case .starting(let waiters, _) = state { woken = Array(waiters.values) }
            state = newState
            return woken
        }
    }

    var isOpen: Bool {
        if case .open = state.withLock({ $0 }) { return true }
        return false
    }
}
