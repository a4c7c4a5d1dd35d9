// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The set of years an optional seventh cron field accepts.
///
/// Years span 1970-2099, which is 130 values and does not fit one `UInt64` as the other fields do, so the
/// set is three words with bit `n` meaning year `1970 + n`.
struct CronYearField: Sendable, Hashable {
    /// The first year a year field may name.
    static let firstYear = 1970

    /// The last year a year field may name.
    static let lastYear = 2099

    /// Years 1970-2033.
    private var low: UInt64 = 0
    /// Years 2034-2097.
    private var middle: UInt64 = 0
    /// Years 2098-2099.
    private var high: UInt64 = 0

    /// Creates an empty set.
    init() {}

    /// Whether `year` is allowed.
    func contains(_ year: Int64) -> Bool {
        guard year >= Int64(Self.firstYear), year <= Int64(Self.lastYear) else {
            return false
        }
        let offset = Int(year) - Self.firstYear
        return word(offset / 64) & (UInt64(1) << UInt64(offset % 64)) != 0
    }

    /// The smallest allowed year that is at least `year`, or nil when there is none.
    func next(atOrAfter year: Int64) -> Int64? {
        guard year <= Int64(Self.lastYear) else {
            return nil
        }
        var offset = year < Int64(Self.firstYear) ? 0 : Int(year - Int64(Self.firstYear))
        while offset <= Self.lastYear - Self.firstYear {
            let index = offset / 64
            let candidates = word(index) & (UInt64.max << UInt64(offset % 64))
            if candidates != 0 {
                return Int64(Self.firstYear + index * 64 + candidates.trailingZeroBitCount)
            }
            offset = (index + 1) * 64
        }
        return nil
    }

    /// Allows `range.lowerBound`, then every `step`-th year up to `range.upperBound`.
    mutating func insert(_ range: ClosedRange<Int>, step: Int) {
        precondition(
            range.lowerBound >= Self.firstYear && range.upperBound <= Self.lastYear && step > 0,
            "cron year out of range"
        )
        for year in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            let offset = year - Self.firstYear
            let bit = UInt64(1) << UInt64(offset % 64)
            switch offset / 64 {
            case 0: low |= bit
            case 1: middle |= bit
            default: high |= bit
            }
        }
    }

    private func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: low
        case 1: middle
        default: high
        }
    }
}
