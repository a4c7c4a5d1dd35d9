// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The life of a ``Resonate`` instance and who waits on it, as a state machine: each event changes the phase and
/// returns what its shell must do (resume which waiters, finish the work stream). The shell holds it in a `Mutex`
/// and acts outside the lock.
///
/// ```
/// idle ──start──▶ starting ──recovered──▶ running ──stop──▶ stopping ──loopsEnded──▶ stopped
///                    │  └──────────────────stop──────────────────▲
///                    └──recoveryFailed──▶ stopped
/// ```
///
/// Generic over its waiters so that tests can drive it with plain values; the instance uses continuations.
struct LifecycleStateMachine<StartWaiter, StopWaiter> {
    enum Phase: Equatable, Sendable {
        case idle, starting, running, stopping, stopped
    }

    private(set) var phase = Phase.idle
    private var startWaiters: [StartWaiter] = []
    private var stopWaiters: [StopWaiter] = []

    /// What ``start()`` asks of the shell.
    enum StartAction {
        /// Recover local state, then report ``recovered()`` or ``recoveryFailed()``.
        case recover
        /// An instance runs once: it has started before.
        case refuse
    }

    /// What the shell does for waiters of ``waitUntilRunning(_:)`` and for stops.
    enum WaiterAction {
        case none
        /// The instance runs: resume these.
        case resumeRunning([StartWaiter])
        /// The instance will not run (it stopped first, or its recovery failed): fail these.
        case fail([StartWaiter])
    }

    /// What ``beginStopping()`` asks of the shell.
    struct StopAction {
        /// Finish the work stream, so that the execution loop drains and ends.
        var finishesWork: Bool
        /// Callers of ``waitUntilRunning(_:)`` that now never see it run.
        var failedStartWaiters: [StartWaiter]
    }

    mutating func start() -> StartAction {
        guard phase == .idle else { return .refuse }
        phase = .starting
        return .recover
    }

    /// Recovery is done; the instance accepts work, unless a stop came first (then it stays stopping and its start
    /// waiters have been failed already).
    mutating func recovered() -> WaiterAction {
        guard phase == .starting else { return .none }
        phase = .running
        return .resumeRunning(takeStartWaiters())
    }

    mutating func recoveryFailed() -> WaiterAction {
        phase = .stopped
        return .fail(takeStartWaiters())
    }

    /// A caller waits until the instance accepts work.
    mutating func waitUntilRunning(_ waiter: StartWaiter) -> WaiterAction {
        switch phase {
        case .running:
            return .resumeRunning([waiter])
        case .stopping, .stopped:
            return .fail([waiter])
        case .idle, .starting:
            startWaiters.append(waiter)
            return .none
        }
    }

    /// ``Resonate/stop()`` or graceful shutdown: no more work is taken. Only the first call does anything.
    mutating func beginStopping() -> StopAction {
        guard phase == .running || phase == .starting else {
            return StopAction(finishesWork: false, failedStartWaiters: [])
        }
        phase = .stopping
        return StopAction(finishesWork: true, failedStartWaiters: takeStartWaiters())
    }

    /// A caller waits until ``Resonate/run()`` has returned; `false`: it has (or never ran), resume it now.
    mutating func waitUntilStopped(_ waiter: StopWaiter) -> Bool {
        switch phase {
        case .idle, .stopped:
            return false
        case .starting, .running, .stopping:
            stopWaiters.append(waiter)
            return true
        }
    }

    /// The execution loop has ended; returns the callers of ``waitUntilStopped(_:)`` to resume.
    mutating func loopsEnded() -> [StopWaiter] {
        phase = .stopped
        defer { stopWaiters.removeAll() }
        return stopWaiters
    }

    /// Whether a new execution may start now, once start-up is done (a caller racing ``start()``), or not at all.
    enum Admission: Equatable {
        case accept, afterStartUp, refuse
    }

    var admission: Admission {
        switch phase {
        case .running: .accept
        case .starting: .afterStartUp
        case .idle, .stopping, .stopped: .refuse
        }
    }

    private mutating func takeStartWaiters() -> [StartWaiter] {
        defer { startWaiters.removeAll() }
        return startWaiters
    }
}
