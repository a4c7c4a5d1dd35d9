// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization
import Testing

@testable import ResonateServer

@Suite("The dashboard's requests per second")
struct RequestRateTests {
    /// A clock the test moves, in milliseconds since the epoch.
    final class TestClock: Sendable {
        let now = Atomic<Int64>(1_000_000)
        func advance(seconds: Int64) { now.add(seconds * 1000, ordering: .relaxed) }
    }

    @Test("the mean over the ten whole seconds before this one, forgetting older seconds")
    func meanOverTenSeconds() {
        let clock = TestClock()
        let rate = RequestRate(clock: { clock.now.load(ordering: .relaxed) })
        #expect(rate.perSecond() == 0)
        // 30 requests in each of 5 seconds.
        for _ in 0..<5 {
            for _ in 0..<30 { rate.record() }
            clock.advance(seconds: 1)
        }
        #expect(rate.perSecond() == 15)
        // The current second does not count until it is over.
        for _ in 0..<100 { rate.record() }
        #expect(rate.perSecond() == 15)
        clock.advance(seconds: 1)
        #expect(rate.perSecond() == 25)
        // Ten quiet seconds later, nothing is left; a bucket reused for a new second starts from zero.
        clock.advance(seconds: 10)
        #expect(rate.perSecond() == 0)
        rate.record()
        clock.advance(seconds: 1)
        #expect(rate.perSecond() == 0.1)
    }
}
