// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateEngine
import ResonateTesting
import Testing

@Suite("Manual clock: time moves only when a test moves it")
struct ManualClockTests {
    @Test("a clock set from a date reads that date in milliseconds; advancing by a duration moves it that much")
    func dateAndDuration() {
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_700_000_000.25))

        #expect(clock.now.milliseconds == 1_700_000_000_250)
        clock.advance(by: .seconds(3_600))
        #expect(clock.now.milliseconds == 1_700_003_600_250)
        clock.advance(by: .milliseconds(-5))
        #expect(clock.now.milliseconds == 1_700_003_600_250, "time never moves backward")
    }

    @Test("advancing wakes the sleepers that are due, and only those")
    func wakesDueSleepers() async throws {
        let clock = ManualClock(now: 0)
        try await withThrowingTaskGroup(of: Int64.self) { group in
            group.addTask {
                try await clock.sleep(untilMilliseconds: 1_000)
                return 1_000
            }
            group.addTask {
                try await clock.sleep(untilMilliseconds: 5_000)
                return 5_000
            }
            try await eventually("both tasks to sleep") { clock.sleeperCount == 2 }
            clock.advance(by: .seconds(1))
            #expect(try await group.next() == 1_000)
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .seconds(4))
            #expect(try await group.next() == 5_000)
        }
    }
}
