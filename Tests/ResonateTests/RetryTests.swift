// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Resonate
import Synchronization
import Testing

/// A manual clock that reports the length of every sleep requested on it.
final class RecordingClock: EngineClock {
    let manual = ManualClock(now: 1_000_000_000)
    let sleeps: AsyncStream<Int64>
    private let continuation: AsyncStream<Int64>.Continuation

    init() {
        (sleeps, continuation) = AsyncStream.makeStream(of: Int64.self)
    }

    var now: EpochInstant { manual.now }
    var minimumResolution: Duration { manual.minimumResolution }

    func sleep(until deadline: EpochInstant, tolerance: Duration?) async throws {
        continuation.yield(deadline.milliseconds - manual.now.milliseconds)
        try await manual.sleep(until: deadline, tolerance: tolerance)
    }
}

struct Flaky: Error {}
struct Fatal: Error, NonRetryableError {}

@Suite("Retries", .timeLimit(.minutes(1)))
struct RetryTests {
    /// Lease renewals sleep ttl/2 = 30 min here, so sleeps of a few seconds are the retries.
    static func resonate(clock: RecordingClock) throws -> Resonate {
        var configuration = Resonate.Configuration()
        configuration.ttl = .seconds(3600)
        return try Resonate(configuration: configuration, clock: clock)
    }

    /// Runs `body` while advancing the clock over each requested sleep of one of the `delays` (the retries; the
    /// engine's timer and lease renewals sleep for other lengths and are left waiting).
    static func advancingRetries<T: Sendable>(
        _ clock: RecordingClock,
        delays: Set<Int64>,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> (T, [Int64]) {
        try await withThrowingTaskGroup(of: (T?, [Int64]).self) { group in
            group.addTask { (try await body(), []) }
            group.addTask {
                var seen: [Int64] = []
                for await requested in clock.sleeps where delays.contains(requested) {
                    seen.append(requested)
                    clock.manual.advance(by: requested)
                }
                return (nil, seen)
            }
            let (value, _) = try await group.next()!
            group.cancelAll()
            return (value!, [])
        }
    }

    @Test("a failing leaf is retried with exponential delays on the injected clock until it succeeds")
    func exponentialRetries() async throws {
        let clock = RecordingClock()
        let resonate = try Self.resonate(clock: clock)
        let attempts = Mutex<[Int64]>([])
        let flaky = try resonate.register("flaky", retry: .exponential(delay: .seconds(1), factor: 2)) {
            (ctx: Context) async throws -> Int in
            attempts.withLock { $0.append(clock.now.milliseconds) }
            if ctx.info.attempt < 3 { throw Flaky() }
            return ctx.info.attempt
        }
        let (result, _) = try await Self.advancingRetries(clock, delays: [1_000, 2_000]) {
            try await resonate.withRunning { try await $0.run("flaky-1", flaky) }
        }
        #expect(result == 3)
        let times = attempts.withLock { $0 }
        #expect(times.count == 3)
        #expect(zip(times.dropFirst(), times).map { $0 - $1 } == [1_000, 2_000])
    }

    @Test("retries stop at the deadline")
    func retriesStopAtDeadline() async throws {
        let clock = RecordingClock()
        let resonate = try Self.resonate(clock: clock)
        let attempts = Mutex(0)
        let flaky = try resonate.register("doomed", retry: .constant(delay: .seconds(2))) {
            (_: Context) async throws -> Int in
            attempts.withLock { $0 += 1 }
            throw Flaky()
        }
        let (outcome, _) = try await Self.advancingRetries(clock, delays: [2_000]) {
            await Result(catching: {
                try await resonate.withRunning { try await $0.run("doomed-1", flaky, options: .timeout(.seconds(5))) }
            })
        }
        // Attempts at 0 s, 2 s and 4 s; a fourth would start at 6 s, past the 5 s deadline.
        #expect(attempts.withLock { $0 } == 3)
        #expect(throws: ApplicationError.self) { try outcome.get() }
    }

    @Test("errors marked NonRetryableError are not retried")
    func nonRetryable() async throws {
        let clock = RecordingClock()
        let resonate = try Self.resonate(clock: clock)
        let attempts = Mutex(0)
        let fatal = try resonate.register("fatal") { (_: Context) async throws -> Int in
            attempts.withLock { $0 += 1 }
            throw Fatal()
        }
        let outcome = await Result(catching: { try await resonate.withRunning { try await $0.run("fatal-1", fatal) } })
        #expect(attempts.withLock { $0 } == 1)
        #expect(throws: ApplicationError.self) { try outcome.get() }
    }

    @Test("a function that made durable calls is not retried: it replays instead")
    func workflowsAreNotRetried() async throws {
        let clock = RecordingClock()
        let resonate = try Self.resonate(clock: clock)
        let runs = Mutex(0)
        let step = try resonate.register("step") { (_: Context) async throws -> Int in 1 }
        let workflow = try resonate.register("failing-workflow") { (ctx: Context) async throws -> Int in
            runs.withLock { $0 += 1 }
            _ = try await ctx.run(step)
            throw Flaky()
        }
        let outcome = await Result(catching: {
            try await resonate.withRunning { try await $0.run("wf-fail", workflow) }
        })
        #expect(runs.withLock { $0 } == 1)
        #expect(throws: ApplicationError.self) { try outcome.get() }
    }

    @Test(
        "policies compute their delays",
        arguments: [
            (RetryPolicy.never, [Int64?](repeating: nil, count: 3)),
            (.constant(delay: .seconds(2), maxRetries: 2), [2_000, 2_000, nil]),
            (.linear(delay: .seconds(1)), [1_000, 2_000, 3_000]),
            (.exponential(delay: .seconds(1), factor: 2, maxDelay: .seconds(3)), [1_000, 2_000, 3_000]),
            (.default, [1_000, 2_000, 4_000]),
        ])
    func policyDelays(policy: RetryPolicy, expected: [Int64?]) {
        let delays = (1...3).map { policy.delay(beforeRetry: $0).map { $0.components.seconds * 1000 } }
        #expect(delays == expected)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
