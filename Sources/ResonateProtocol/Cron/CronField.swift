// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The set of values one cron field (second, minute, hour, day of month, month or day of week) accepts.
///
/// Every such field's values fit below 64, so bit `n` set means value `n` is allowed; finding the next allowed
/// value is then a mask and a count of trailing zeros instead of a loop.
struct CronField: Sendable, Hashable {
    /// Bit `n` is set when value `n` is allowed.
    var bits: UInt64

    /// Creates a field from raw bits.
    init(bits: UInt64) {
        self.bits = bits
    }

    /// Creates a field allowing every value in `range`.
    init(range: ClosedRange<Int>) {
        self.init(bits: 0)
        insert(range, step: 1)
    }

    /// Whether `value` is allowed.
    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (UInt64(1) << UInt64(value)) != 0
    }

    /// The smallest allowed value that is at least `value`, or nil when there is none.
    func next(atOrAfter value: Int) -> Int? {
        guard value < 64 else {
            return nil
        }
        let candidates = value <= 0 ? bits : bits & (UInt64.max << UInt64(value))
        return candidates == 0 ? nil : candidates.trailingZeroBitCount
    }

    /// Allows `range.lowerBound`, then every `step`-th value up to `range.upperBound`.
    mutating func insert(_ range: ClosedRange<Int>, step: Int) {
        precondition(range.lowerBound >= 0 && range.upperBound < 64 && step > 0, "cron field value out of bits")
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            bits |= UInt64(1) << UInt64(value)
        }
    }
}
