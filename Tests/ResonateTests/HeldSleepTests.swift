// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import Synchronization
import Testing

@Suite("Held sleeps", .timeLimit(.minutes(1)))
struct HeldSleepTests {
    static func local(heldSleepLimit: Duration, maxConcurrentTasks: Int = 64) throws -> Resonate {
        var configuration = Resonate.Configuration()
        configuration.heldSleepLimit = heldSleepLimit
        configuration.maxConcurrentTasks = maxConcurrentTasks
        return try Resonate(configuration: configuration)
    }

    /// A loop of `iterations` steps, each followed by a sleep of `sleep`; returns how long each sleep took.
    static func register(
        on resonate: Resonate, steps: Counter, sleep: Duration = .milliseconds(30)
    ) throws -> DurableFunction<Int, [Double]> {
        let step = try resonate.register("step") { (_: Context, n: Int) async throws -> Int in
            steps.increment()
            return n
        }
        return try resonate.register("batches") { (ctx: Context, iterations: Int) async throws -> [Double] in
            var slept: [Double] = []
            for n in 1...iterations {
                _ = try await ctx.run(step, n)
                let start = ContinuousClock.now
                try await ctx.sleep(for: sleep)
                let elapsed = ContinuousClock.now - start
                slept.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
            return slept
        }
    }

    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    @Test("a sleep under the limit waits in the process: no suspension, and it lasts its whole duration")
    func shortSleepIsHeld() async throws {
        let resonate = try Self.local(heldSleepLimit: .seconds(1))
        let steps = Counter()
        let batches = try Self.register(on: resonate, steps: steps)
        let (slept, statistics) = try await resonate.withRunning { resonate in
            (try await resonate.run("held-1", batches, 5), resonate.resumeStatistics)
        }
        #expect(slept.count == 5)
        #expect(slept.allSatisfy { $0 >= 29 }, "a held sleep ends no earlier than its deadline: \(slept)")
        #expect(steps.count == 5)
        #expect(statistics.suspended == 0)
        #expect(statistics.inMemory == 0 && statistics.replayed == 0)
    }

    @Test("a sleep over the limit suspends as before")
    func longerSleepSuspends() async throws {
        let resonate = try Self.local(heldSleepLimit: .milliseconds(10))
        let steps = Counter()
        // Far over the limit: even if creating the sleep's promise is slow, what is left of it is not under.
        let batches = try Self.register(on: resonate, steps: steps, sleep: .milliseconds(400))
        let (slept, statistics) = try await resonate.withRunning { resonate in
            (try await resonate.run("held-2", batches, 3), resonate.resumeStatistics)
        }
        #expect(slept.count == 3)
        #expect(steps.count == 3)
        #expect(statistics.suspended == 3)
    }

    @Test("when the task slots run short, sleeps suspend instead of holding them, and every execution finishes")
    func slotPressureSuspends() async throws {
        // Four slots, twelve executions: at most one slot may be held by a sleep at a time (a quarter free).
        let resonate = try Self.local(heldSleepLimit: .seconds(1), maxConcurrentTasks: 4)
        let steps = Counter()
        let batches = try Self.register(on: resonate, steps: steps)
        let (results, statistics) = try await resonate.withRunning { resonate in
            let handles = try await (0..<12).asyncMap { try await resonate.beginRun("held-3-\($0)", batches, 3) }
            var results: [[Double]] = []
            for handle in handles { results.append(try await handle.result()) }
            return (results, resonate.resumeStatistics)
        }
        #expect(results.count == 12 && results.allSatisfy { $0.count == 3 })
        #expect(steps.count == 36, "no step ran twice")
        #expect(statistics.suspended > 0, "some sleeps gave their slot back")
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
