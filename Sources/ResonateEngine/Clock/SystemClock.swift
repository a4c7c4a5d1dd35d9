// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time made monotonic: if the system clock steps backwards, time stands still until it catches up.
///
/// Timestamps are persisted and compared across restarts, so they must be wall-clock; within one process they must
/// never go backwards, or a timeout could fire before the timestamp that scheduled it.
public final class SystemClock: EngineClock {
    private let latest = Atomic<Int64>(0)

    public init() {}

    public var minimumResolution: Duration { .milliseconds(1) }

    public var now: EpochInstant { EpochInstant(milliseconds: currentMilliseconds()) }

    private func currentMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let wall = Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
        var current = latest.load(ordering: .relaxed)
        while wall > current {
            let (exchanged, original) = latest.compareExchange(
                expected: current,
                desired: wall,
                ordering: .relaxed
            )
            if exchanged { return wall }
            current = original
        }
        return current
    }

    public func sleep(until deadline: EpochInstant, tolerance: Duration? = nil) async throws {
        let remaining = deadline.milliseconds - currentMilliseconds()
        if remaining > 0 {
            try await Task.sleep(for: .milliseconds(remaining), tolerance: tolerance ?? .milliseconds(1))
        }
    }
}
