// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

/// Replays the croniter-generated expectations in `Fixtures/cron-next.json`.
@Suite("Cron expressions agree with croniter")
struct CronFixtureTests {
    /// Decoded once, not once per case.
    static let fixture = Result { try CronFixture.load() }

    @Test("next occurrences match croniter", arguments: try fixture.get().cases)
    func nextOccurrencesMatchCroniter(_ fixture: CronFixture.Case) throws {
        let perRun = try Self.fixture.get().occurrencesPerRun
        let expression = try CronExpression(parsing: fixture.expression)
        for run in fixture.runs {
            var instant = run.after
            for expected in run.next {
                let actual = expression.nextOccurrence(after: instant)
                let detail =
                    "after \(CronTestTime.iso(instant)): got \(CronTestTime.iso(actual)), "
                    + "croniter says \(CronTestTime.iso(expected))"
                #expect(actual == expected, "\(detail)")
                // Continue from croniter's answer so one miss does not cascade through the rest of the run.
                instant = expected
            }
            if run.next.count < perRun {
                let actual = expression.nextOccurrence(after: instant)
                #expect(
                    actual == nil,
                    "after \(CronTestTime.iso(instant)): got \(CronTestTime.iso(actual)), croniter finds none"
                )
            }
        }
    }

    @Test("the fixture file is complete and consistent")
    func fixtureIsConsistent() throws {
        let fixture = try Self.fixture.get()
        #expect(!fixture.croniter.isEmpty)
        #expect(fixture.cases.count >= 150)
        let counted = fixture.cases.reduce(0) { total, fixtureCase in
            total
                + fixtureCase.runs.reduce(0) { sum, run in
                    sum + run.next.count + (run.next.count < fixture.occurrencesPerRun ? 1 : 0)
                }
        }
        #expect(counted == fixture.expectations)
        let expressions = fixture.cases.map(\.expression)
        #expect(expressions == expressions.sorted())
        #expect(Set(expressions).count == expressions.count)
    }
}
