// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Proleptic Gregorian calendar arithmetic in UTC on plain integers.
///
/// `ResonateProtocol` does no I/O and does not depend on Foundation, so instead of `Calendar` this uses
/// Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms, which are exact for every `Int64` day
/// count a millisecond timestamp can produce.
enum CronCalendar {
    /// Seconds in a UTC day; UTC as used by Unix time has no leap seconds.
    static let secondsPerDay: Int64 = 86_400

    /// A date in the proleptic Gregorian calendar.
    struct Date: Sendable, Hashable {
        var year: Int64
        /// 1-12.
        var month: Int
        /// 1-31.
        var day: Int
    }

    /// Division rounding towards negative infinity, so instants before 1970 land in the right second and day.
    static func floorDivide(_ value: Int64, by divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// Whether `year` has a 29 February.
    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1-12) of `year`.
    static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of `date`.
    static func days(from date: Date) -> Int64 {
        // Shift the year to start in March so that the leap day is the last day of the shifted year.
        let year = date.month <= 2 ? date.year - 1 : date.year
        let era = floorDivide(year, by: 400)
        let yearOfEra = year - era * 400
        let shiftedMonth = Int64(date.month > 2 ? date.month - 3 : date.month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(date.day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01.
    static func date(fromDays days: Int64) -> Date {
        let shifted = days + 719_468
        let era = floorDivide(shifted, by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Date(year: year, month: month, day: day)
    }

    /// The day of the week of the day `days` days after 1970-01-01, with 0 for Sunday as cron counts.
    static func weekday(fromDays days: Int64) -> Int {
        // 1970-01-01 was a Thursday.
        Int((days % 7 + 7 + 4) % 7)
    }
}
