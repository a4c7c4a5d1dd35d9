// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

#if canImport(FoundationEssentials)
public import struct FoundationEssentials.Date
#else
public import struct Foundation.Date
#endif

/// A clock that only moves when told to, for deterministic tests of timers.
///
/// ```swift
/// let clock = ManualClock(now: 1_000)
/// clock.advance(to: 5_000)   // wakes every sleeper whose deadline is ≤ 5000
/// ```
public final class ManualClock: EngineClock {
    private struct Sleeper {
        let deadline: Int64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var sleepers: [Int: Sleeper] = [:]
        var nextToken = 0
    }

    private let state: Mutex<State>

    /// A clock standing at `now`, in milliseconds since 1970 (the protocol's time).
    public init(now: Int64) {
        state = Mutex(State(now: now))
    }

    /// A clock standing at `date` (to the millisecond).
    public convenience init(now date: Date) {
        self.init(now: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public var minimumResolution: Duration { .milliseconds(1) }

    public var now: EpochInstant { EpochInstant(milliseconds: state.withLock { $0.now }) }

    /// Moves time forward (never backward) and wakes the sleepers that are due.
    public func advance(to time: Int64) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, time)
            let now = state.now
            let dueTokens = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return dueTokens.compactMap { state.sleepers.removeValue(forKey: $0) }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time forward by `milliseconds`.
    public func advance(by milliseconds: Int64) {
        advance(to: now.milliseconds + milliseconds)
    }

    /// Moves time forward by `duration` (in whole milliseconds, the clock's resolution).
    ///
    /// ```swift
    /// clock.advance(by: .seconds(3_600))   // a one-hour durable sleep ends now
    /// ```
    public func advance(by duration: Duration) {
        advance(by: duration.wholeMilliseconds)
    }

    /// The number of tasks currently sleeping on this clock.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// The deadlines the sleeping tasks wait for, earliest first.
    public var sleeperDeadlines: [Int64] {
        state.withLock { $0.sleepers.values.map(\.deadline).sorted() }
    }

    public func sleep(until instant: EpochInstant, tolerance: Duration? = nil) async throws {
        let deadline = instant.milliseconds
        let token = state.withLock { state -> Int in
            state.nextToken += 1
            return state.nextToken
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.now >= deadline || Task.isCancelled { return true }
                    state.sleepers[token] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if resumeNow {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: token) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}
