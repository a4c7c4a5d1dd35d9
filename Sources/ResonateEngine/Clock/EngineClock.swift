// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The engine's notion of time: protocol time in milliseconds since the Unix epoch.
///
/// Injected so that tests drive timers deterministically (``ManualClock``) while servers use ``SystemClock``.
public protocol EngineClock: Sendable {
    /// The current time in milliseconds since the Unix epoch. Never decreases.
    func now() -> Int64
    /// Suspends until ``now()`` has reached `deadline`, or throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Int64) async throws
}
