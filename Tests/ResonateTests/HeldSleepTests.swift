// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateTesting
import Synchronization
import Testing

/// On a manual clock nothing ends by itself: a held sleep waits on the clock, a suspended one waits for the engine's
/// timer, and the test decides when time passes, so which sleeps suspend does not depend on the machine's speed.
@Suite("Held sleeps", .timeLimit(.minutes(1)))
struct HeldSleepTests {
    static let start: Int64 = 1_000_000_000

    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    /// A local instance on a manual clock with `batches` registered: `iterations` steps, each followed by a sleep of
    /// `sleep`, returning the clock's time at the end. `entries` counts the runs of the function's body from the top.
    struct Fixture {
        let clock = ManualClock(now: HeldSleepTests.start)
        let steps = Counter()
        let entries = Counter()
        let resonate: Resonate
        let batches: DurableFunction<Int, Int64>

        init(
            heldSleepLimit: Duration, historyLimit: Int = 64, maxConcurrentTasks: Int = 64, sleep: Duration
        ) throws {
            var configuration = Resonate.Configuration()
            configuration.heldSleepLimit = heldSleepLimit
            configuration.heldSleepHistoryLimit = historyLimit
            configuration.maxConcurrentTasks = maxConcurrentTasks
            // Lease renewals would sleep on the clock too; an hour keeps them out of the way.
            configuration.ttl = .seconds(3600)
            resonate = try Resonate(configuration: configuration, clock: clock)
            let (clock, steps, entries) = (clock, steps, entries)
            let step = try resonate.register("step") { (_: Context, n: Int) async throws -> Int in
                steps.increment()
                return n
            }
            batches = try resonate.register("batches") { (ctx: Context, iterations: Int) async throws -> Int64 in
                entries.increment()
                for n in 1...iterations {
                    _ = try await ctx.run(step, n)
                    try await ctx.sleep(for: sleep)
                }
                return clock.now.milliseconds
            }
        }
    }

    /// Moves the clock forward a little at a time until `handles` have all finished.
    static func advance(
        _ clock: ManualClock, byMilliseconds step: Int64, until handles: [Handle<Int64>]
    ) async throws
        -> [Int64]
    {
        try await withThrowingTaskGroup(of: [Int64]?.self) { group in
            group.addTask {
                var results: [Int64] = []
                for handle in handles { results.append(try await handle.result()) }
                return results
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(2))
                    clock.advance(by: step)
                }
            }
            let results = try await group.next()!!
            group.cancelAll()
            return results
        }
    }

    /// Waits (30 s at most) for `condition`; records an issue instead of throwing, so that the test goes on to
    /// advance the clock and its held sleeps end (otherwise stopping the instance would wait for them forever).
    static func expectEventually(_ what: String, _ condition: () -> Bool) async {
        do {
            try await eventually(what, within: .seconds(30), checkingEvery: .milliseconds(2)) { condition() }
        } catch {
            Issue.record(error)
        }
    }

    @Test(
        "a sleep under the limit waits in the process: no suspension, and it ends at its deadline",
        arguments: [0, 64]
    )
    func shortSleepIsHeld(historyLimit: Int) async throws {
        let fixture = try Fixture(heldSleepLimit: .seconds(1), historyLimit: historyLimit, sleep: .milliseconds(500))
        let (clock, steps, resonate, batches) = (fixture.clock, fixture.steps, fixture.resonate, fixture.batches)
        let (ended, statistics) = try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("held-1", batches, 2)
            // The first sleep waits on the clock, in the process.
            await Self.expectEventually("the step to run") { steps.count == 1 }
            try await Task.sleep(for: .milliseconds(50))
            #expect(resonate.resumeStatistics.suspended == 0 && resonate.resumeStatistics.parked == 0)
            #expect(steps.count == 1, "the sleep has not ended while the clock stands still")
            let ended = try await Self.advance(clock, byMilliseconds: 100, until: [handle])
            return (ended[0], resonate.resumeStatistics)
        }
        #expect(ended >= Self.start + 1_000, "both sleeps lasted their whole length")
        #expect(steps.count == 2)
        #expect(statistics.suspended == 0)
        #expect(statistics.inMemory == 0 && statistics.replayed == 0)
        if historyLimit == 0 {
            // Each sleep waited in the execution's task, which went on after it.
            #expect(statistics.releasedWhileSleeping == 0 && fixture.entries.count == 1)
        } else {
            // Each sleep released the execution, and it replayed from memory (its steps from their checkpoints).
            #expect(statistics.releasedWhileSleeping == 2 && fixture.entries.count == 3)
        }
    }

    @Test("a short execution holding a sleep takes no task slot: twelve sleep at once on four slots, none suspends")
    func releasedSleepsTakeNoSlot() async throws {
        let fixture = try Fixture(heldSleepLimit: .seconds(1), maxConcurrentTasks: 4, sleep: .milliseconds(50))
        let (clock, steps, resonate, batches) = (fixture.clock, fixture.steps, fixture.resonate, fixture.batches)
        let (results, statistics) = try await resonate.withRunning { resonate in
            var handles: [Handle<Int64>] = []
            for index in 0..<12 { handles.append(try await resonate.beginRun("held-4-\(index)", batches, 3)) }
            // Time stands still: every execution reaches its first sleep, released, with its slot given back.
            await Self.expectEventually("all twelve released for their first sleep") {
                steps.count == 12 && resonate.resumeStatistics.releasedWhileSleeping == 12
            }
            return (
                try await Self.advance(clock, byMilliseconds: 10, until: handles), resonate.resumeStatistics
            )
        }
        #expect(results.count == 12)
        #expect(steps.count == 36, "no step ran twice")
        #expect(statistics.suspended == 0 && statistics.parked == 0 && statistics.replayed == 0)
        // The first sleeps were all released (time stood still); a later one may have been over when it was
        // created on a loaded machine (the clock moves on), and did not wait at all.
        #expect((12...36).contains(statistics.releasedWhileSleeping))
    }

    @Test("a sleep over the limit suspends and resumes when its timer fires")
    func longerSleepSuspends() async throws {
        let fixture = try Fixture(heldSleepLimit: .milliseconds(100), sleep: .milliseconds(500))
        let (clock, steps, resonate, batches) = (fixture.clock, fixture.steps, fixture.resonate, fixture.batches)
        let (ended, statistics) = try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("held-2", batches, 2)
            // The clock moves only while the execution is suspended, so each sleep is a whole 500 ms when it
            // begins, however long its creation takes.
            for suspension in 1...2 {
                await Self.expectEventually("suspension \(suspension)") {
                    resonate.resumeStatistics.suspended == suspension && resonate.resumeStatistics.parked == 1
                }
                clock.advance(by: .milliseconds(500))
            }
            let ended = try await handle.result()
            // Both resumes continued the execution in memory (counted just after each resume began).
            await Self.expectEventually("two resumes in memory") { resonate.resumeStatistics.inMemory == 2 }
            return (ended, resonate.resumeStatistics)
        }
        #expect(ended >= Self.start + 1_000)
        #expect(steps.count == 2)
        #expect(statistics.suspended == 2 && statistics.inMemory == 2 && statistics.replayed == 0)
    }

    @Test("sleeps kept in their tasks hold slots only while a quarter are free: the others suspend, all finish")
    func slotPressureSuspends() async throws {
        // Four slots: a sleep is held only if, with its own slot taken, one is still free, so at most three hold.
        // (Executions are kept in their tasks while they sleep here; short ones are released otherwise.)
        let fixture = try Fixture(
            heldSleepLimit: .seconds(1), historyLimit: 0, maxConcurrentTasks: 4, sleep: .milliseconds(50))
        let (clock, steps, resonate, batches) = (fixture.clock, fixture.steps, fixture.resonate, fixture.batches)
        let (results, statistics) = try await resonate.withRunning { resonate in
            var handles: [Handle<Int64>] = []
            for index in 0..<12 { handles.append(try await resonate.beginRun("held-3-\(index)", batches, 3)) }
            // Time stands still: every execution reaches its first sleep, and at most three hold theirs. (Which
            // ones, and whether it is two or three, depends on when slots come back from suspended executions.)
            await Self.expectEventually("the first sleeps, nine or more suspended") {
                steps.count == 12 && resonate.resumeStatistics.suspended >= 9
            }
            #expect(resonate.resumeStatistics.parked == resonate.resumeStatistics.suspended)
            return (
                try await Self.advance(clock, byMilliseconds: 10, until: handles), resonate.resumeStatistics
            )
        }
        #expect(results.count == 12)
        #expect(steps.count == 36, "no step ran twice")
        #expect(statistics.suspended >= 9)
    }
}
