// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Which position of a cron expression a field occupies, with the rules that position imposes.
enum CronFieldKind: Sendable, Hashable {
    case second
    case minute
    case hour
    case dayOfMonth
    case month
    case dayOfWeek
    case year

    private static let monthNames = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// The name used in error messages.
    var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        case .year: "year"
        }
    }

    /// Every value that may be written in this field.
    ///
    /// Day of week accepts 7 as well as 0 for Sunday, so that ranges such as `5-7` (Friday to Sunday) can be
    /// written; the two are the same day once parsed.
    var bounds: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        case .year: CronYearField.firstYear...CronYearField.lastYear
        }
    }

    /// The values `*` stands for, which are also the end of `a/n` and the largest sensible step.
    ///
    /// Day of week stops at 6 here so that `*/2` and `1/2` keep to one week (croniter agrees) instead of also
    /// counting the alias 7.
    var wildcard: ClosedRange<Int> {
        self == .dayOfWeek ? 0...6 : bounds
    }

    /// Whether `?` may stand for `*` here, as Quartz-style expressions write it.
    var allowsQuestionMark: Bool {
        self == .dayOfMonth || self == .dayOfWeek
    }

    /// The value a lower-case three-letter name stands for, or nil when this field has no such name.
    func value(named name: String) -> Int? {
        switch self {
        case .month: Self.monthNames.firstIndex(of: name).map { $0 + 1 }
        case .dayOfWeek: Self.dayNames.firstIndex(of: name)
        default: nil
        }
    }

    /// How to write a value of this field, for error messages that suggest a fix.
    var accepted: String {
        switch self {
        case .month: "1-12 or jan-dec"
        case .dayOfWeek: "0-7 or sun-sat"
        default: "\(bounds.lowerBound)-\(bounds.upperBound)"
        }
    }
}
