// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// An instant of wall-clock time to the millisecond, counted from 1970-01-01 UTC: the protocol's time, in which
/// promises' deadlines and tasks' leases are stored and compared across processes and restarts.
public struct EpochInstant: InstantProtocol, Hashable, Sendable {
    /// Milliseconds since 1970-01-01 UTC.
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public func advanced(by duration: Duration) -> EpochInstant {
        EpochInstant(milliseconds: milliseconds + duration.wholeMilliseconds)
    }

    public func duration(to other: EpochInstant) -> Duration {
        .milliseconds(other.milliseconds - milliseconds)
    }

    public static func < (lhs: EpochInstant, rhs: EpochInstant) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }
}
