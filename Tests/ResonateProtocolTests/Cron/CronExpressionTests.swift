// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

@Suite("Cron expression semantics")
struct CronExpressionTests {
    private typealias T = CronTestTime

    /// The first `count` occurrences after `instant`.
    private func occurrences(_ text: String, after instant: Int64, count: Int = 5) throws -> [String] {
        let expression = try CronExpression(parsing: text)
        var result: [String] = []
        var current = instant
        for _ in 0..<count {
            guard let next = expression.nextOccurrence(after: current) else {
                break
            }
            #expect(next > current)
            result.append(T.iso(next))
            current = next
        }
        return result
    }

    // MARK: Seconds

    @Test("six fields put the seconds first")
    func sixFieldsHaveLeadingSeconds() throws {
        #expect(
            try occurrences("30 * * * * *", after: 0, count: 3) == [
                "1970-01-01T00:00:30.000Z", "1970-01-01T00:01:30.000Z", "1970-01-01T00:02:30.000Z",
            ])
        #expect(
            try occurrences("*/20 5 * * * *", after: 0, count: 4) == [
                "1970-01-01T00:05:00.000Z", "1970-01-01T00:05:20.000Z", "1970-01-01T00:05:40.000Z",
                "1970-01-01T01:05:00.000Z",
            ])
        #expect(
            try occurrences("15 30 9 * * mon-fri", after: T.instant(2024, 6, 14, 9, 30, 15), count: 2) == [
                "2024-06-17T09:30:15.000Z", "2024-06-18T09:30:15.000Z",
            ])
    }

    @Test("five fields fire at second 0")
    func fiveFieldsFireOnTheMinute() throws {
        #expect(
            try occurrences("* * * * *", after: 59_999, count: 2) == [
                "1970-01-01T00:01:00.000Z", "1970-01-01T00:02:00.000Z",
            ])
    }

    @Test("the next occurrence is strictly after the instant, even part-way through a matching second")
    func strictlyAfter() throws {
        let everySecond = try CronExpression(parsing: "* * * * * *")
        #expect(everySecond.nextOccurrence(after: 1_000) == 2_000)
        #expect(everySecond.nextOccurrence(after: 1_999) == 2_000)
        #expect(everySecond.nextOccurrence(after: 999) == 1_000)
        #expect(everySecond.nextOccurrence(after: -1) == 0)
        #expect(everySecond.nextOccurrence(after: -1_000) == 0)
        #expect(everySecond.nextOccurrence(after: -1_001) == -1_000)

        let daily = try CronExpression(parsing: "@daily")
        let midnight = T.instant(2024, 3, 1)
        #expect(daily.nextOccurrence(after: midnight - 1) == midnight)
        #expect(daily.nextOccurrence(after: midnight) == midnight + 86_400_000)
        #expect(daily.nextOccurrence(after: midnight + 500) == midnight + 86_400_000)
    }

    // MARK: Days

    @Test("both day fields restricted: either may match")
    func dayFieldsOr() throws {
        // September 2024: Fridays are the 6th, 13th, 20th and 27th.
        #expect(
            try occurrences("0 0 13 * fri", after: T.instant(2024, 9, 1), count: 5) == [
                "2024-09-06T00:00:00.000Z", "2024-09-13T00:00:00.000Z", "2024-09-20T00:00:00.000Z",
                "2024-09-27T00:00:00.000Z", "2024-10-04T00:00:00.000Z",
            ])
        // The 1st-7th OR any Monday: not "the first Monday".
        #expect(
            try occurrences("0 0 1-7 * mon", after: T.instant(2024, 9, 6), count: 3) == [
                "2024-09-07T00:00:00.000Z", "2024-09-09T00:00:00.000Z", "2024-09-16T00:00:00.000Z",
            ])
    }

    @Test("one day field unrestricted: the other alone decides", arguments: ["*", "?"])
    func dayFieldsAnd(wildcard: String) throws {
        #expect(
            try occurrences("0 0 \(wildcard) * fri", after: T.instant(2024, 9, 1), count: 2) == [
                "2024-09-06T00:00:00.000Z", "2024-09-13T00:00:00.000Z",
            ])
        #expect(
            try occurrences("0 0 13 * \(wildcard)", after: T.instant(2024, 9, 1), count: 2) == [
                "2024-09-13T00:00:00.000Z", "2024-10-13T00:00:00.000Z",
            ])
    }

    @Test("day-of-week names, 0 and 7 all name the same Sunday", arguments: ["0", "7", "sun", "SUN", "Sun", "0,7"])
    func sunday(spelling: String) throws {
        let expression = try CronExpression(parsing: "0 12 * * \(spelling)")
        // 2024-09-01 was a Sunday.
        #expect(expression.nextOccurrence(after: T.instant(2024, 8, 26)) == T.instant(2024, 9, 1, 12))
    }

    @Test("a named Sunday may close a range")
    func namedSundayEndsRange() throws {
        let named = try CronExpression(parsing: "0 0 * * fri-sun")
        let numbered = try CronExpression(parsing: "0 0 * * 5-7")
        for day in 0..<14 {
            let instant = T.instant(2024, 9, 1 + day)
            #expect(named.nextOccurrence(after: instant) == numbered.nextOccurrence(after: instant))
        }
    }

    @Test("29 February waits for the next leap year, skipping 2100")
    func leapDay() throws {
        #expect(
            try occurrences("0 0 29 2 *", after: T.instant(2096, 3, 1), count: 2) == [
                "2104-02-29T00:00:00.000Z", "2108-02-29T00:00:00.000Z",
            ])
        #expect(
            try occurrences("0 0 29 2 *", after: T.instant(1999, 1, 1), count: 2) == [
                "2000-02-29T00:00:00.000Z", "2004-02-29T00:00:00.000Z",
            ])
    }

    @Test("the 31st skips shorter months")
    func monthEnds() throws {
        #expect(
            try occurrences("0 0 31 * *", after: T.instant(2024, 1, 31), count: 4) == [
                "2024-03-31T00:00:00.000Z", "2024-05-31T00:00:00.000Z", "2024-07-31T00:00:00.000Z",
                "2024-08-31T00:00:00.000Z",
            ])
    }

    // MARK: Impossible dates and the search bound

    @Test(
        "impossible dates have no occurrence",
        arguments: [
            "0 0 30 2 *", "0 0 31 2 *", "0 0 31 4 *", "0 0 31 4,6,9,11 *", "0 0 30,31 feb *",
            "0 0 0 31 11 *", "0 0 0 29 2 * 2097-2099", "0 0 0 31 6 * *",
        ]
    )
    func impossibleDates(text: String) throws {
        let expression = try CronExpression(parsing: text)
        for instant in [Int64.min, -1, 0, T.instant(2024, 2, 28), T.instant(2096, 12, 31), Int64.max] {
            #expect(expression.nextOccurrence(after: instant) == nil)
        }
    }

    @Test("a year field ends the schedule after its last year, however far ahead it lies")
    func yearFieldBounds() throws {
        let once = try CronExpression(parsing: "0 0 0 1 1 * 2090")
        #expect(once.nextOccurrence(after: 0) == T.instant(2090, 1, 1))
        #expect(once.nextOccurrence(after: T.instant(2090, 1, 1)) == nil)

        let lastYear = try CronExpression(parsing: "59 59 23 31 12 * 2099")
        #expect(lastYear.nextOccurrence(after: -5_000_000_000_000) == T.instant(2099, 12, 31, 23, 59, 59))
        #expect(lastYear.nextOccurrence(after: T.instant(2099, 12, 31, 23, 59, 59)) == nil)

        // `*` in the year field is not 1970-2099: it never ends.
        let forever = try CronExpression(parsing: "0 0 0 1 1 * *")
        #expect(forever.nextOccurrence(after: T.instant(2099, 6, 1)) == T.instant(2100, 1, 1))
    }

    @Test("instants at the ends of Int64 neither trap nor answer wrongly")
    func extremeInstants() throws {
        let everyMinute = try CronExpression(parsing: "* * * * *")
        let lastMinute = Int64.max / 60_000 * 60_000
        #expect(everyMinute.nextOccurrence(after: Int64.max) == nil)
        #expect(everyMinute.nextOccurrence(after: lastMinute) == nil)
        #expect(everyMinute.nextOccurrence(after: lastMinute - 1) == lastMinute)
        #expect(everyMinute.nextOccurrence(after: lastMinute - 60_000) == lastMinute)
        let nearMin = try #require(everyMinute.nextOccurrence(after: Int64.min))
        #expect(nearMin > Int64.min && nearMin % 60_000 == 0)
        let yearly = try CronExpression(parsing: "@yearly")
        let first = try #require(yearly.nextOccurrence(after: Int64.min))
        #expect(first > Int64.min)
    }

    // MARK: Macros, names and equivalent spellings

    @Test(
        "equivalent spellings give the same schedule",
        arguments: [
            ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"), ("@HoUrLy", "0 * * * *"),
            ("0 0 * * mon-fri", "0 0 * * 1-5"), ("0 0 1 JAN,Jul *", "0 0 1 1,7 *"),
            ("0 0 * * 1-7/2", "0 0 * * 1,3,5,0"), ("0 0 * * 1/2", "0 0 * * 1,3,5"),
            ("*/7 * * * *", "0,7,14,21,28,35,42,49,56 * * * *"), ("10/15 * * * *", "10,25,40,55 * * * *"),
            ("0 0 1 mar/4 *", "0 0 1 3,7,11 *"), ("0 0 ? * ?", "0 0 * * *"),
            ("0 0 * * * *", "0 * * * *"), ("0 0 0 1 1 * *", "0 0 1 1 *"),
            ("\t0  0 *\n* *  ", "0 0 * * *"),
        ]
    )
    func equivalentSpellings(left: String, right: String) throws {
        let lhs = try CronExpression(parsing: left)
        let rhs = try CronExpression(parsing: right)
        var instant = CronTestTime.instant(2024, 1, 1)
        for _ in 0..<20 {
            let next = lhs.nextOccurrence(after: instant)
            #expect(next == rhs.nextOccurrence(after: instant))
            guard let next else {
                break
            }
            instant = next
        }
    }

    @Test("description is the text as given, and equality follows it")
    func descriptionAndEquality() throws {
        let text = " @Daily "
        let expression = try CronExpression(parsing: text)
        #expect(expression.description == text)
        #expect("\(expression)" == text)
        #expect(try CronExpression(parsing: "*/5 * * * *") == CronExpression(parsing: "*/5 * * * *"))
        let fiveMinutes = try CronExpression(parsing: "*/5 * * * *")
        #expect(fiveMinutes.hashValue == (try CronExpression(parsing: "*/5 * * * *")).hashValue)
        #expect(try CronExpression(parsing: "*/5 * * * *") != CronExpression(parsing: "*/10 * * * *"))
        let set: Set = [try CronExpression(parsing: "@hourly"), try CronExpression(parsing: "@hourly")]
        #expect(set.count == 1)
    }

    @Test("the longest accepted expression is exactly maximumLength bytes")
    func lengthCap() throws {
        let filler = String(repeating: "0,", count: (CronExpression.maximumLength - 9) / 2)
        var text = filler + "0 * * * *"
        text = String(repeating: " ", count: CronExpression.maximumLength - text.utf8.count) + text
        #expect(text.utf8.count == CronExpression.maximumLength)
        #expect(throws: Never.self) { try CronExpression(parsing: text) }
        #expect(throws: CronParseError.self) { try CronExpression(parsing: " " + text) }
    }

    // MARK: Performance sanity (counts work, not time)

    @Test("a year of minutely occurrences is walked one call per occurrence")
    func walksAYear() throws {
        let expression = try CronExpression(parsing: "*/7 */5 * * * *")
        var instant = T.instant(2023, 1, 1) - 1
        var count = 0
        while let next = expression.nextOccurrence(after: instant), next < T.instant(2024, 1, 1) {
            instant = next
            count += 1
        }
        // 9 seconds (0, 7, …, 56) × 12 minutes × 24 hours × 365 days.
        #expect(count == 9 * 12 * 24 * 365)
    }
}
