// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The engine's and the SDK's clock: a Swift `Clock` whose instants are wall-clock milliseconds since 1970
/// (``EpochInstant``), the protocol's time, and whose durations are `Duration`.
///
/// Injected so that tests drive timers, sleeps and retries deterministically (``ManualClock``) while programs use
/// ``SystemClock``. Its `now` never decreases.
public protocol EngineClock: Clock, Sendable where Instant == EpochInstant, Duration == Swift.Duration {}

extension EngineClock {
    /// Suspends until `now` has reached `deadline`, in the protocol's milliseconds since 1970; throws
    /// `CancellationError` when the task is cancelled.
    public func sleep(untilMilliseconds deadline: Int64) async throws {
        try await sleep(until: EpochInstant(milliseconds: deadline), tolerance: nil)
    }
}
