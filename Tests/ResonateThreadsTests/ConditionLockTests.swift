// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateThreads
import Synchronization
import Testing

@Suite("Threads and the condition lock", .timeLimit(.minutes(1)))
struct ConditionLockTests {
    @Test("a timed wait nobody signals returns once its time has passed")
    func timedWaitTimesOut() {
        let lock = ConditionLock()
        let started = ContinuousClock.now
        lock.withLock { lock.wait(for: .milliseconds(50)) }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(50))
        #expect(waited < .seconds(30))
    }

    @Test("a dedicated thread runs its body, and its signal wakes a waiter long before the wait's limit")
    func signalFromDedicatedThread() {
        let lock = ConditionLock()
        let ran = Atomic<Bool>(false)
        let started = ContinuousClock.now
        DedicatedThread.start(name: "signaller", stackSize: 1 << 20) {
            lock.withLock {
                ran.store(true, ordering: .relaxed)
                lock.signal()
            }
        }
        lock.withLock {
            while !ran.load(ordering: .relaxed) && ContinuousClock.now - started < .seconds(30) {
                lock.wait(for: .seconds(30))
            }
        }
        let didRun = ran.load(ordering: .relaxed)
        #expect(didRun)
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("a broadcast wakes every waiting thread")
    func broadcastWakesAll() async throws {
        let lock = ConditionLock()
        let released = Atomic<Bool>(false)
        let waiting = Atomic<Int>(0)
        let woken = Atomic<Int>(0)
        for index in 0..<3 {
            DedicatedThread.start(name: "waiter-\(index)") {
                lock.withLock {
                    waiting.add(1, ordering: .relaxed)
                    while !released.load(ordering: .relaxed) { lock.wait() }
                }
                woken.add(1, ordering: .relaxed)
            }
        }
        while waiting.load(ordering: .relaxed) < 3 { try await Task.sleep(for: .milliseconds(1)) }
        lock.withLock {
            released.store(true, ordering: .relaxed)
            lock.broadcast()
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while woken.load(ordering: .relaxed) < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        let wokenCount = woken.load(ordering: .relaxed)
        #expect(wokenCount == 3)
    }
}
