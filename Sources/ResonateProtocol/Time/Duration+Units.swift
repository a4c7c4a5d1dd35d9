// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The conversions of a `Duration` to the protocol's milliseconds and to the units of the libraries below us, in
/// one place: every module above this one uses them.
extension Duration {
    /// Whole milliseconds, rounded toward zero: the unit of the protocol's timestamps and timeouts.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole nanoseconds, rounded toward zero (for `NIO.TimeAmount` and `Date` arithmetic).
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Milliseconds, with their fraction (for reports).
    public var inMilliseconds: Double {
        Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15
    }

    /// Seconds, with their fraction (for rates and growth factors).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
