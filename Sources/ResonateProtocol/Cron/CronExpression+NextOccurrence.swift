// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension CronExpression {
    /// How many years past the start an expression without a year field is searched before it is declared
    /// impossible; one with a year field is searched through its last year.
    ///
    /// The longest gap a satisfiable expression can have is 8 years (29 February across a century that is not
    /// a leap year, e.g. 2096 to 2104), so this leaves a wide margin while keeping impossible dates such as
    /// `0 0 30 2 *` cheap: a few hundred month steps.
    static let searchHorizonYears: Int64 = 28

    /// Days 1, 8, 15, 22 and 29: one weekday's days in a month whose first day is that weekday.
    private static let weeklyDays: UInt64 = 1 << 1 | 1 << 8 | 1 << 15 | 1 << 22 | 1 << 29

    /// The first occurrence strictly after `instant`, or nil if none exists (e.g. `0 0 30 2 *` never matches).
    ///
    /// Occurrences are whole seconds, so an `instant` part-way through a matching second is already past it.
    ///
    /// - Parameter instant: Milliseconds since the Unix epoch, in UTC.
    /// - Returns: The occurrence in milliseconds since the Unix epoch.
    public func nextOccurrence(after instant: Int64) -> Int64? {
        let start = CronCalendar.floorDivide(instant, by: 1_000) + 1
        let startDays = CronCalendar.floorDivide(start, by: CronCalendar.secondsPerDay)
        let secondOfDay = Int(start - startDays * CronCalendar.secondsPerDay)
        let date = CronCalendar.date(fromDays: startDays)
        var year = date.year
        var month = date.month
        var day = date.day
        var hour = secondOfDay / 3_600
        var minute = secondOfDay / 60 % 60
        var second = secondOfDay % 60
        // A year field bounds the search by itself (it ends in 2099), however far ahead its years lie.
        let horizon = years == nil ? year + Self.searchHorizonYears : Int64(CronYearField.lastYear)

        // Each step either accepts the current value of a field or moves it to the next allowed value and resets
        // every finer field to its minimum, so time only moves forward and the loop ends within the horizon.
        while year <= horizon {
            if let years {
                guard let nextYear = years.next(atOrAfter: year) else {
                    return nil
                }
                if nextYear != year {
                    (year, month, day, hour, minute, second) = (nextYear, 1, 1, 0, 0, 0)
                }
            }
            guard let nextMonth = months.next(atOrAfter: month) else {
                (year, month, day, hour, minute, second) = (year + 1, 1, 1, 0, 0, 0)
                continue
            }
            if nextMonth != month {
                (month, day, hour, minute, second) = (nextMonth, 1, 0, 0, 0)
            }
            guard let nextDay = CronField(bits: matchingDays(year: year, month: month)).next(atOrAfter: day) else {
                (month, day, hour, minute, second) = (month + 1, 1, 0, 0, 0)
                continue
            }
            if nextDay != day {
                (day, hour, minute, second) = (nextDay, 0, 0, 0)
            }
            guard let nextHour = hours.next(atOrAfter: hour) else {
                (day, hour, minute, second) = (day + 1, 0, 0, 0)
                continue
            }
            if nextHour != hour {
                (hour, minute, second) = (nextHour, 0, 0)
            }
            guard let nextMinute = minutes.next(atOrAfter: minute) else {
                (hour, minute, second) = (hour + 1, 0, 0)
                continue
            }
            if nextMinute != minute {
                (minute, second) = (nextMinute, 0)
            }
            guard let nextSecond = seconds.next(atOrAfter: second) else {
                (minute, second) = (minute + 1, 0)
                continue
            }
            let days = CronCalendar.days(from: CronCalendar.Date(year: year, month: month, day: day))
            let secondOfDay = Int64(hour * 3_600 + minute * 60 + nextSecond)
            return Self.milliseconds(days: days, secondOfDay: secondOfDay)
        }
        return nil
    }

    /// The days of `month` in `year` that both day fields together allow, as bits 1-31.
    private func matchingDays(year: Int64, month: Int) -> UInt64 {
        let length = CronCalendar.daysInMonth(year: year, month: month)
        let validDays = (UInt64(1) << UInt64(length + 1)) - 2
        let firstWeekday = CronCalendar.weekday(
            fromDays: CronCalendar.days(from: CronCalendar.Date(year: year, month: month, day: 1))
        )
        var weekdayMatches: UInt64 = 0
        for weekday in 0..<7 where daysOfWeek.contains(weekday) {
            weekdayMatches |= Self.weeklyDays << UInt64((weekday - firstWeekday + 7) % 7)
        }
        let matches =
            daysMatchEither
            ? daysOfMonth.bits | weekdayMatches
            : daysOfMonth.bits & weekdayMatches
        return matches & validDays
    }

    /// `days * 86 400 + secondOfDay` seconds in milliseconds, or nil past what `Int64` milliseconds can hold.
    private static func milliseconds(days: Int64, secondOfDay: Int64) -> Int64? {
        let (daySeconds, overflow1) = days.multipliedReportingOverflow(by: CronCalendar.secondsPerDay)
        let (seconds, overflow2) = daySeconds.addingReportingOverflow(secondOfDay)
        let (milliseconds, overflow3) = seconds.multipliedReportingOverflow(by: 1_000)
        return overflow1 || overflow2 || overflow3 ? nil : milliseconds
    }
}
