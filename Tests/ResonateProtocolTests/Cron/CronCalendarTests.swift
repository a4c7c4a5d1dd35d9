// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

@Suite("Cron calendar arithmetic")
struct CronCalendarTests {
    @Test(
        "known dates",
        arguments: [
            (Int64(0), CronCalendar.Date(year: 1970, month: 1, day: 1), 4),
            (-1, CronCalendar.Date(year: 1969, month: 12, day: 31), 3),
            (11_016, CronCalendar.Date(year: 2000, month: 2, day: 29), 2),
            (19_782, CronCalendar.Date(year: 2024, month: 2, day: 29), 4),
            (47_541, CronCalendar.Date(year: 2100, month: 3, day: 1), 1),
            (-719_468, CronCalendar.Date(year: 0, month: 3, day: 1), 3),
            (2_932_896, CronCalendar.Date(year: 9999, month: 12, day: 31), 5),
        ]
    )
    func knownDates(days: Int64, date: CronCalendar.Date, weekday: Int) {
        #expect(CronCalendar.days(from: date) == days)
        #expect(CronCalendar.date(fromDays: days) == date)
        #expect(CronCalendar.weekday(fromDays: days) == weekday)
    }

    @Test("days and dates round-trip, and consecutive days are consecutive dates")
    func roundTrip() {
        var previous = CronCalendar.date(fromDays: -200_001)
        for days in Int64(-200_000)...Int64(200_000) {
            let date = CronCalendar.date(fromDays: days)
            #expect(CronCalendar.days(from: date) == days)
            let followsPrevious =
                date.day == previous.day + 1 && date.month == previous.month
                || date.day == 1 && previous.day == CronCalendar.daysInMonth(year: previous.year, month: previous.month)
            if !followsPrevious {
                Issue.record("\(previous) is not followed by \(date)")
                break
            }
            previous = date
        }
    }

    @Test("extreme day counts keep the arithmetic exact")
    func extremes() {
        for days in [Int64(-106_751_991_167), 106_751_991_167] {
            #expect(CronCalendar.days(from: CronCalendar.date(fromDays: days)) == days)
        }
    }

    @Test("leap years follow the Gregorian rules")
    func leapYears() {
        #expect(CronCalendar.isLeapYear(2000))
        #expect(CronCalendar.isLeapYear(2024))
        #expect(!CronCalendar.isLeapYear(2100))
        #expect(!CronCalendar.isLeapYear(2023))
        #expect(CronCalendar.isLeapYear(-4))
        #expect(CronCalendar.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CronCalendar.daysInMonth(year: 1900, month: 2) == 28)
        #expect(CronCalendar.daysInMonth(year: 2023, month: 4) == 30)
        #expect(CronCalendar.daysInMonth(year: 2023, month: 12) == 31)
    }

    @Test("floor division rounds towards negative infinity")
    func floorDivision() {
        #expect(CronCalendar.floorDivide(-1, by: 1_000) == -1)
        #expect(CronCalendar.floorDivide(-1_000, by: 1_000) == -1)
        #expect(CronCalendar.floorDivide(-1_001, by: 1_000) == -2)
        #expect(CronCalendar.floorDivide(999, by: 1_000) == 0)
        #expect(CronCalendar.floorDivide(Int64.min, by: 1_000) == -9_223_372_036_854_776)
    }
}
