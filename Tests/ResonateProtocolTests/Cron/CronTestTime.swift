// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

@testable import ResonateProtocol

/// Readable UTC instants for cron tests, built on the library's own integer calendar (itself tested by
/// `CronCalendarTests` against known dates).
enum CronTestTime {
    /// Milliseconds since the epoch of the given UTC wall-clock time.
    static func instant(
        _ year: Int64,
        _ month: Int,
        _ day: Int,
        _ hour: Int = 0,
        _ minute: Int = 0,
        _ second: Int = 0,
        millisecond: Int = 0
    ) -> Int64 {
        let days = CronCalendar.days(from: CronCalendar.Date(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
        return seconds * 1_000 + Int64(millisecond)
    }

    /// `instant` as `YYYY-MM-DDTHH:MM:SS.mmmZ`, so failures name dates rather than large numbers.
    static func iso(_ instant: Int64?) -> String {
        guard let instant else {
            return "nil"
        }
        let seconds = CronCalendar.floorDivide(instant, by: 1_000)
        let millisecond = instant - seconds * 1_000
        let days = CronCalendar.floorDivide(seconds, by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let date = CronCalendar.date(fromDays: days)
        func pad(_ value: some BinaryInteger, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
            + "T\(pad(secondOfDay / 3_600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            + ".\(pad(millisecond, 3))Z"
    }
}
