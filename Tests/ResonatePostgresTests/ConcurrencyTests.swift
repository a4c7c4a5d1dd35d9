// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
import ResonateEngine
import ResonateProtocol
import ResonateTesting
import Testing

@testable import ResonatePostgres

@Suite("PostgreSQL concurrency", .sharedPostgres, .timeLimit(.minutes(3)))
struct ConcurrencyTests {
    /// Raises `sqlState` from inside the transaction, as the server would on a conflict.
    static func raise(_ sqlState: String, in transaction: PostgresTransaction) async throws {
        try await transaction.rows(
            "SELECT resonate_test_raise(\(sqlState))"
        )
    }

    static let raiseFunction = """
        CREATE FUNCTION resonate_test_raise(state text) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION USING ERRCODE = state, MESSAGE = 'raised by the test'; END $$
        """

    @Test(
        "serialization failures and deadlocks run the closure again; other server errors are reported at once",
        arguments: [("40001", true), ("40P01", true), ("23505", true), ("22012", false), ("42P01", false)]
    )
    func retriesOnlyWhatRetryingCures(sqlState: String, retried: Bool) async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            try await store.write { transaction in
                _ = try await transaction.rows(PostgresQuery(unsafeSQL: Self.raiseFunction))
            }
            let attempts = Counter()
            do {
                let outcome = try await store.write { transaction in
                    try await transaction.insertPromise(
                        PromiseRecord(id: "once", state: .pending, timeoutAt: 9, createdAt: 1))
                    if attempts.increment() == 1 { try await Self.raise(sqlState, in: transaction) }
                    return "committed"
                }
                #expect(retried, "\(sqlState) must not be retried")
                #expect(outcome == "committed")
            } catch let error as PostgresStoreError {
                #expect(!retried, "\(sqlState) must be retried: \(error)")
                #expect(error.code == .queryFailed)
                #expect(error.sqlState == sqlState)
            }
            #expect(attempts.count == (retried ? 2 : 1))
            #expect(store.retriedTransactions == (retried ? 1 : 0))
            // The failed attempt rolled back: exactly one promise, or none.
            let stored = try await store.read { try await $0.snapshot() }.promises.map(\.id)
            #expect(stored == (retried ? ["once"] : []))
        }
    }

    @Test("a transaction that keeps failing is given up after the configured number of attempts")
    func attemptsAreBounded() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database()) { $0.maximumAttempts = 3 }
        try await PostgresFixtures.running([store]) {
            try await store.write { transaction in
                _ = try await transaction.rows(PostgresQuery(unsafeSQL: Self.raiseFunction))
            }
            let attempts = Counter()
            await #expect {
                try await store.write { transaction in
                    attempts.increment()
                    try await Self.raise("40001", in: transaction)
                }
            } throws: { error in
                (error as? PostgresStoreError)?.code == .retriesExhausted
            }
            #expect(attempts.count == 3)
        }
    }

    @Test("a real deadlock between two transactions is resolved by running the victim again")
    func deadlockIsRetried() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            try await store.write { transaction in
                try await transaction.insertPromise(PromiseRecord(id: "a", state: .pending, timeoutAt: 9, createdAt: 1))
                try await transaction.insertPromise(PromiseRecord(id: "b", state: .pending, timeoutAt: 9, createdAt: 1))
            }
            let attempts = Counter()
            let locked = [Latch(), Latch()]
            // Each locks one row, waits for the other to lock the other row, then asks for it: a cycle.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (me, first, second) in [(0, "a", "b"), (1, "b", "a")] {
                    group.addTask {
                        try await store.write { transaction in
                            let attempt = attempts.increment()
                            _ = try await transaction.promise(id: first)
                            if attempt <= 2 {
                                locked[me].open()
                                try await locked[1 - me].wait(for: "the other transaction to lock its row")
                            }
                            _ = try await transaction.promise(id: second)
                            try await transaction.settlePromise(
                                id: first, state: .resolved, value: Value(data: "\(me)"), settledAt: 2)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(attempts.count == 3)
            #expect(store.retriedTransactions == 1)
            let settled = try await store.read { try await $0.snapshot() }.promises.map(\.state)
            #expect(settled == [.resolved, .resolved])
        }
    }

    @Test("two transactions inserting the same new id: one inserts, the other runs again and finds its row")
    func concurrentInsertOfOneID() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            let latches = [Latch(), Latch()]
            let attempts = Counter()
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for (me, other) in [(0, 1), (1, 0)] {
                    group.addTask {
                        try await store.write { transaction in
                            let attempt = attempts.increment()
                            let existing = try await transaction.promise(id: "dup")
                            if attempt <= 2 {
                                latches[me].open()
                                try await latches[other].wait(for: "the other transaction to read the id")
                            }
                            if let existing { return "found \(existing.tags["by"] ?? "?")" }
                            try await transaction.insertPromise(
                                PromiseRecord(
                                    id: "dup", state: .pending, tags: ["by": "\(me)"], timeoutAt: 9, createdAt: 1)
                            )
                            return "inserted \(me)"
                        }
                    }
                }
                var outcomes: [String] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes.sorted()
            }
            #expect(outcomes == ["found 0", "inserted 0"] || outcomes == ["found 1", "inserted 1"], "\(outcomes)")
            #expect(attempts.count == 3)
            #expect(store.retriedTransactions == 1)
        }
    }

    /// Waits until some transaction waits for a lock (polling `pg_locks`, bounded).
    static func untilSomeoneWaitsForALock(_ store: PostgresStore) async throws {
        try await eventually("a transaction to wait for a lock", within: .seconds(20)) {
            let waiting = try await store.read { transaction in
                try await transaction.rows("SELECT count(*) FROM pg_locks WHERE NOT granted").first?.decode(Int64.self)
            }
            return (waiting ?? 0) > 0
        }
    }

    /// How the settling transaction reads and settles the promise.
    enum SettlementPath: CaseIterable, Sendable {
        /// A locking read, then the settlement statement.
        case readFirst
        /// `settlePromiseIfPending`: lock and settlement in one round trip.
        case oneRoundTrip
        /// A batch's `prefetch`, then a settlement held back until the commit.
        case readUpFront
    }

    @Test(
        """
        a settlement and a suspension on the same promise serialize on its row lock: no lost wakeup in either order, \
        whether the settlement reads the promise first, settles it in one round trip or reads it up front in a batch
        """,
        arguments: [true, false], SettlementPath.allCases
    )
    func settlementAndSuspensionSerialize(settlementFirst: Bool, path: SettlementPath) async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            try await store.write { transaction in
                try await transaction.insertPromise(PromiseRecord(id: "w", state: .pending, timeoutAt: 9, createdAt: 1))
                try await transaction.insertPromise(
                    PromiseRecord(id: "w:1", state: .pending, timeoutAt: 9, createdAt: 1))
                try await transaction.insertTask(
                    TaskRow(id: "w", state: .acquired, version: 1, pid: "p", ttl: 9, timeout: .lease(at: 9)))
            }
            let firstHoldsTheRow = Latch()
            // The settlement's half of the chain: settle, then wake the awaiters registered so far.
            let settle: @Sendable () async throws -> [String] = {
                try await store.write { transaction in
                    if path != .readFirst {
                        // Waits for the row inside the round trip when the suspension holds it, and must still see
                        // the callback the suspension registered.
                        if path == .readUpFront { try await transaction.prefetch(promiseIDs: ["w:1"]) }
                        guard
                            case .settled(_, let waiters) = try await transaction.settlePromiseIfPending(
                                id: "w:1", state: .resolved, value: .empty, settledAt: 2)
                        else { return ["?"] }
                        if settlementFirst {
                            firstHoldsTheRow.open()
                            try await Self.untilSomeoneWaitsForALock(store)
                        }
                        return waiters.awaiters
                    }
                    guard try await transaction.promise(id: "w:1")?.state == .pending else { return ["?"] }
                    if settlementFirst {
                        firstHoldsTheRow.open()
                        try await Self.untilSomeoneWaitsForALock(store)
                    }
                    return try await transaction.settlePromise(
                        id: "w:1", state: .resolved, value: .empty, settledAt: 2
                    ).awaiters
                }
            }
            // The suspension's half: register the callback and sleep if the awaited promise is still pending.
            let suspend: @Sendable () async throws -> String = {
                try await store.write { transaction in
                    let pending = try await transaction.promise(id: "w:1")?.state == .pending
                    if !settlementFirst {
                        firstHoldsTheRow.open()
                        try await Self.untilSomeoneWaitsForALock(store)
                    }
                    guard pending else { return "saw it settled" }
                    try await transaction.insertCallback(awaited: "w:1", awaiter: "w", ready: false)
                    try await transaction.updateTask(TaskRow(id: "w", state: .suspended, version: 1))
                    return "suspended"
                }
            }
            // The second one starts only once the first holds the row, and the first goes on only once the second
            // waits for it: the interleaving where both read "pending" before either writes, had they not locked.
            let (woken, suspended): ([String], String)
            if settlementFirst {
                async let first = settle()
                try await firstHoldsTheRow.wait(for: "the first transaction to hold the row")
                async let second = suspend()
                (woken, suspended) = (try await first, try await second)
            } else {
                async let first = suspend()
                try await firstHoldsTheRow.wait(for: "the first transaction to hold the row")
                async let second = settle()
                (woken, suspended) = (try await second, try await first)
            }
            if settlementFirst {
                #expect(woken.isEmpty)
                #expect(suspended == "saw it settled")
            } else {
                #expect(suspended == "suspended")
                #expect(woken == ["w"])
            }
        }
    }

    @Test("replicas racing on one task and one promise end like some serial order: one lease, one settlement")
    func racingRequestsSerialize() async throws {
        let url = try await PostgresFixtures.database()
        let stores = try [PostgresFixtures.store(url), PostgresFixtures.store(url)]
        let clock = ManualClock(now: 1_000_000)
        let engines = stores.map { PostgresFixtures.engine($0, clock: clock) }
        try await PostgresFixtures.running(stores) {
            for round in 0..<30 {
                let id = "r\(round)"
                let created = await engines[0].execute(
                    .promiseCreate(
                        PromiseCreate(
                            id: id, timeoutAt: clock.now.milliseconds + 60_000, tags: [Tag.target: "poll://any@w"])))
                #expect(created.status == 200)
                let acquisitions = await withTaskGroup(of: Int.self) { group in
                    for (index, engine) in engines.enumerated() {
                        group.addTask {
                            await engine.execute(
                                .taskAcquire(TaskAcquire(id: id, version: 0, pid: "p\(index)", ttl: 60_000))
                            ).status
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }.sorted()
                }
                #expect(acquisitions == [200, 409], "round \(round)")
                let settlements = await withTaskGroup(of: Reply.self) { group in
                    for (index, engine) in engines.enumerated() {
                        group.addTask {
                            await engine.execute(
                                .promiseSettle(
                                    PromiseSettle(
                                        id: id, state: index == 0 ? .resolved : .rejected,
                                        value: Value(data: "\(index)"))))
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                let stored = try await stores[1].read { try await $0.promise(id: id) }
                for reply in settlements {
                    #expect(reply.status == 200)
                    guard case .promise(let promise) = reply.payload else {
                        Issue.record("round \(round): \(reply)")
                        continue
                    }
                    // Whoever settled second saw the first settlement: both answer with the one stored.
                    #expect(promise == stored, "round \(round)")
                }
                #expect(try await stores[0].read { try await $0.task(id: id) }?.state == .fulfilled)
            }
        }
    }

    @Test("a settlement racing a suspension on the settled promise never leaves the awaiter asleep")
    func noLostWakeups() async throws {
        let url = try await PostgresFixtures.database()
        let stores = try [PostgresFixtures.store(url), PostgresFixtures.store(url)]
        let clock = ManualClock(now: 1_000_000)
        let engines = stores.map { PostgresFixtures.engine($0, clock: clock) }
        try await PostgresFixtures.running(stores) {
            for round in 0..<40 {
                let workflow = "w\(round)"
                let child = "\(workflow):1"
                let tags = [
                    Tag.target: "poll://any@w", Tag.origin: workflow, Tag.branch: workflow, Tag.parent: workflow,
                ]
                let created = await engines[0].execute(
                    .taskCreate(
                        TaskCreate(
                            pid: "p", ttl: 60_000,
                            promise: PromiseCreate(
                                id: workflow, timeoutAt: clock.now.milliseconds + 600_000, tags: tags))))
                #expect(created.status == 200)
                _ = await engines[0].execute(
                    .promiseCreate(
                        PromiseCreate(
                            id: child, timeoutAt: clock.now.milliseconds + 600_000,
                            tags: [Tag.origin: workflow, Tag.branch: child, Tag.parent: workflow])))
                async let settle = engines[0].execute(.promiseSettle(PromiseSettle(id: child, state: .resolved)))
                async let suspend = engines[1].execute(
                    .taskSuspend(TaskSuspend(id: workflow, version: 1, awaiting: [child])))
                let (settled, suspension) = await (settle, suspend)
                #expect(settled.status == 200)
                #expect([200, 300].contains(suspension.status), "round \(round): \(suspension)")
                let task = try await stores[0].read { try await $0.task(id: workflow) }
                // Suspended before the settlement: resumed by it (pending). After: told 300, still acquired.
                #expect(task?.state == (suspension.status == 200 ? .pending : .acquired), "round \(round)")
            }
        }
    }
}
