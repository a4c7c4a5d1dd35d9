// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

@Suite("Cron field bitsets")
struct CronFieldTests {
    @Test("next(atOrAfter:) finds the smallest allowed value")
    func nextValue() {
        var field = CronField(bits: 0)
        field.insert(5...50, step: 15)
        #expect(field.bits == 1 << 5 | 1 << 20 | 1 << 35 | 1 << 50)
        #expect(field.next(atOrAfter: 0) == 5)
        #expect(field.next(atOrAfter: 5) == 5)
        #expect(field.next(atOrAfter: 6) == 20)
        #expect(field.next(atOrAfter: 50) == 50)
        #expect(field.next(atOrAfter: 51) == nil)
        #expect(field.next(atOrAfter: 64) == nil)
        #expect(field.next(atOrAfter: 1_000) == nil)
        #expect(field.contains(35) && !field.contains(36) && !field.contains(64) && !field.contains(-1))
        let top = CronField(range: 63...63)
        #expect(top.next(atOrAfter: 63) == 63)
        #expect(CronField(bits: 0).next(atOrAfter: 0) == nil)
    }

    @Test("year sets span their three words")
    func years() {
        var years = CronYearField()
        years.insert(2030...2030, step: 1)
        years.insert(2033...2034, step: 1)
        years.insert(2097...2099, step: 2)
        #expect(years.next(atOrAfter: -10_000) == 2030)
        #expect(years.next(atOrAfter: 2031) == 2033)
        #expect(years.next(atOrAfter: 2034) == 2034)
        #expect(years.next(atOrAfter: 2035) == 2097)
        #expect(years.next(atOrAfter: 2098) == 2099)
        #expect(years.next(atOrAfter: 2100) == nil)
        #expect(years.next(atOrAfter: Int64.max) == nil)
        #expect(years.contains(2099) && !years.contains(2098) && !years.contains(1969) && !years.contains(2100))
        var all = CronYearField()
        all.insert(1970...2099, step: 1)
        for year in Int64(1970)...2099 {
            #expect(all.next(atOrAfter: year) == year)
        }
        #expect(CronYearField().next(atOrAfter: 1970) == nil)
    }
}
