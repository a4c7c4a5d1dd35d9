// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonatePostgres
import ResonateProtocol
import ResonateTesting
import Synchronization
import Testing

/// Records the unblock messages an engine delivers.
final class UnblockRecorder: MessageSink {
    private let unblocked = Mutex<[String]>([])

    func deliver(_ message: Message, to address: Address) -> DeliveryOutcome {
        if case .unblock(let promise) = message { unblocked.withLock { $0.append(promise.id) } }
        return .delivered
    }

    var promiseIDs: [String] { unblocked.withLock { $0 } }
}

@Suite("PostgreSQL replicas sharing one database", .sharedPostgres, .timeLimit(.minutes(3)))
struct ReplicaTests {
    @Test("two stores on one database see each other's writes, with distinct outbox sequence numbers")
    func storesShareState() async throws {
        let url = try await PostgresFixtures.database()
        let stores = try [PostgresFixtures.store(url), PostgresFixtures.store(url)]
        let clock = ManualClock(now: 1_000_000)
        let (first, second) = (
            PostgresFixtures.engine(stores[0], clock: clock), PostgresFixtures.engine(stores[1], clock: clock)
        )
        try await PostgresFixtures.running(stores) {
            let created = await first.execute(
                .promiseCreate(
                    PromiseCreate(id: "job", timeoutAt: 2_000_000, tags: [Tag.target: "poll://any@workers"])))
            #expect(created.status == 200)
            let acquired = await second.execute(.taskAcquire(TaskAcquire(id: "job", version: 0, pid: "p", ttl: 60_000)))
            #expect(acquired.status == 200)
            _ = await first.execute(.promiseRegisterListener(awaited: "job", address: "poll://uni@clients/c"))
            let fulfilled = await second.execute(
                .taskFulfill(
                    TaskFulfill(id: "job", version: 1, settle: PromiseSettle(id: "job", state: .resolved))))
            #expect(fulfilled.status == 200)
            let seen = await first.execute(.promiseGet(id: "job"))
            guard case .promise(let promise) = seen.payload else {
                Issue.record("unexpected \(seen)")
                return
            }
            #expect(promise.state == .resolved)
            let outbox = try await stores[0].read { try await $0.outboxEntries(limit: 100) }
            // The execute queued by the first replica and the unblock queued by the second, in one sequence.
            #expect(outbox.count == 2)
            #expect(outbox.map(\.sequence) == outbox.map(\.sequence).sorted())
            #expect(Set(outbox.map(\.sequence)).count == 2)
        }
    }

    @Test("a timer claim skips the rows another replica's pass holds, so two passes take disjoint rows")
    func claimsSkipLockedRows() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            try await store.write { transaction in
                for index in 0..<20 {
                    try await transaction.insertPromise(
                        PromiseRecord(
                            id: "t\(index + 10)", state: .pending, timeoutAt: 100 + Int64(index), createdAt: 1))
                }
            }
            let firstClaimed = Latch()
            let secondDone = Latch()
            async let first = store.write { transaction in
                let claimed = try await transaction.expiredPromises(at: 1_000, limit: 12).map(\.id)
                firstClaimed.open()
                // Hold the claim (and its row locks) until the second pass has claimed.
                try await secondDone.wait(for: "the second pass to claim")
                return claimed
            }
            try await firstClaimed.wait(for: "the first pass to claim")
            let second = try await store.write { transaction in
                try await transaction.expiredPromises(at: 1_000, limit: 12).map(\.id)
            }
            secondDone.open()
            let claimedFirst = try await first
            #expect(claimedFirst == (10..<22).map { "t\($0)" })
            #expect(second == (22..<30).map { "t\($0)" })
        }
    }

    @Test("two replicas' timer loops time out every promise exactly once")
    func concurrentTimerPassesDoNotDoubleProcess() async throws {
        let url = try await PostgresFixtures.database()
        let stores = try [PostgresFixtures.store(url), PostgresFixtures.store(url)]
        let clock = ManualClock(now: 1_000_000)
        var configuration = EngineConfiguration()
        configuration.timerBatchSize = 20
        let engines = stores.map { Engine(store: $0, configuration: configuration, clock: clock) }
        let recorders = [UnblockRecorder(), UnblockRecorder()]
        for (engine, recorder) in zip(engines, recorders) { engine.attach(recorder) }
        let count = 300
        try await PostgresFixtures.running(stores) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for slice in 0..<4 {
                    group.addTask {
                        for index in stride(from: slice, to: count, by: 4) {
                            let id = "timeout-\(index)"
                            _ = await engines[index % 2].execute(
                                .promiseCreate(PromiseCreate(id: id, timeoutAt: 1_000_000 + 1_000 + Int64(index % 7))))
                            _ = await engines[index % 2].execute(
                                .promiseRegisterListener(awaited: id, address: "poll://uni@clients/c"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            clock.advance(by: 5_000)
            let passes = try await withThrowingTaskGroup(of: TimerPassResult.self) { group in
                for engine in engines {
                    group.addTask {
                        var total = TimerPassResult()
                        while true {
                            let result = try await engine.runTimerPass()
                            total.timedOutPromises += result.timedOutPromises
                            if !result.hasMore { return total }
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(passes.map(\.timedOutPromises).reduce(0, +) == count)
            let unblocked = recorders[0].promiseIDs + recorders[1].promiseIDs
            #expect(unblocked.count == count)
            #expect(Set(unblocked).count == count, "a promise was timed out by both replicas")
            let pending = try await stores[0].read {
                try await $0.searchPromises(state: .pending, tags: [:], after: nil, limit: 10)
            }
            #expect(pending.isEmpty)
        }
    }
}
