// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import ResonateTesting
import Testing

@testable import ResonatePostgres

/// A group-commit batch reads its promises up front and writes its creations and settlements together, with the
/// outcome of running its requests one by one.
@Suite("PostgreSQL batched creations and settlements", .sharedPostgres, .timeLimit(.minutes(2)))
struct BatchedWriteTests {
    /// Pending promises `s0`…`s3` with callbacks from the suspended tasks `w0`, `w1` (one callback already ready)
    /// and listeners, a settled promise `done`, and a promise `late` past its timeout at the time of the requests.
    static func seed(_ transaction: some StoreTransaction) async throws {
        for index in 0..<4 {
            try await transaction.insertPromise(
                PromiseRecord(id: "s\(index)", state: .pending, tags: ["k": "\(index)"], timeoutAt: 90, createdAt: 1))
        }
        for awaiter in ["w0", "w1"] {
            try await transaction.insertPromise(
                PromiseRecord(
                    id: awaiter, state: .pending, tags: [Tag.target: "poll://any@g"], timeoutAt: 90, createdAt: 1))
            try await transaction.insertTask(TaskRow(id: awaiter, state: .suspended, version: 1))
        }
        try await transaction.insertCallback(awaited: "s0", awaiter: "w1", ready: false)
        try await transaction.insertCallback(awaited: "s0", awaiter: "w0", ready: true)
        try await transaction.insertCallback(awaited: "s1", awaiter: "w1", ready: false)
        for address in ["poll://any@b", "http://x/Z", "poll://any@a"] {
            try await transaction.insertListener(promiseID: "s0", address: address)
        }
        try await transaction.insertListener(promiseID: "s2", address: "poll://any@b")
        try await transaction.insertPromise(
            PromiseRecord(
                id: "done", state: .resolved, value: Value(headers: [:], data: "eA=="), timeoutAt: 90, createdAt: 1,
                settledAt: 2))
        try await transaction.insertPromise(PromiseRecord(id: "late", state: .pending, timeoutAt: 10, createdAt: 1))
    }

    /// The requests of one batch, at time 20: creations of new and existing ids (with and without a target, born
    /// settled, with headers and without), settlements of pending, settled, timed-out and unknown promises.
    static let requests: [Request] = [
        .promiseCreate(PromiseCreate(id: "n0", timeoutAt: 100)),
        .promiseCreate(
            PromiseCreate(
                id: "n1", timeoutAt: 100, param: Value(headers: ["h": "1"], data: "cA=="),
                tags: ["a": "1", "b": "2"])),
        .promiseCreate(PromiseCreate(id: "n2", timeoutAt: 100, tags: [Tag.target: "poll://any@g"])),
        .promiseCreate(
            PromiseCreate(
                id: "n3", timeoutAt: 100, settlement: PromiseCreate.Settlement(state: .resolved, value: .empty))),
        .promiseCreate(PromiseCreate(id: "s3", timeoutAt: 100)),
        .promiseSettle(PromiseSettle(id: "s0", state: .resolved, value: Value(headers: ["v": "2"], data: "dg=="))),
        .promiseSettle(PromiseSettle(id: "s1", state: .rejected)),
        .promiseSettle(PromiseSettle(id: "s2", state: .rejectedCanceled)),
        .promiseSettle(PromiseSettle(id: "done", state: .rejected)),
        .promiseSettle(PromiseSettle(id: "late", state: .resolved)),
        .promiseSettle(PromiseSettle(id: "nobody", state: .resolved)),
    ]

    /// Tasks of workflows in each state a task request of ``taskRequests`` needs, at time 20.
    static func seedTasks(_ transaction: some StoreTransaction) async throws {
        func workflow(_ id: String, _ task: TaskRow) async throws {
            try await transaction.insertPromise(
                PromiseRecord(id: id, state: .pending, tags: [Tag.target: "poll://any@g"], timeoutAt: 90, createdAt: 1))
            try await transaction.insertTask(task)
        }
        let leased = { (id: String, version: Int64) in
            TaskRow(id: id, state: .acquired, version: version, pid: "p", ttl: 60, timeout: .lease(at: 80))
        }
        try await workflow("t1", leased("t1", 1))
        try await workflow("t2", leased("t2", 1))
        try await transaction.insertPromise(PromiseRecord(id: "t2.c", state: .pending, timeoutAt: 90, createdAt: 1))
        try await transaction.insertListener(promiseID: "t2.c", address: "poll://any@x")
        try await workflow("t3", TaskRow(id: "t3", state: .pending, version: 1, timeout: .retry(at: 90)))
        try await workflow("t4", leased("t4", 2))
        try await workflow("t5", TaskRow(id: "t5", state: .suspended, version: 1, pid: "p"))
        try await transaction.insertCallback(awaited: "t4", awaiter: "t5", ready: false)
        try await transaction.insertPromise(PromiseRecord(id: "r2:1", state: .pending, timeoutAt: 90, createdAt: 1))
        try await workflow("r2", leased("r2", 1))
        try await transaction.insertPromise(PromiseRecord(id: "r3", state: .pending, timeoutAt: 90, createdAt: 1))
    }

    /// Task requests that name their promises up front: fences that create and settle, an acquisition, a
    /// fulfillment that resumes an awaiter, and a callback and a listener registered.
    static let taskRequests: [Request] = [
        .taskFence(TaskFence(id: "t1", version: 1, action: .create(PromiseCreate(id: "t1.c", timeoutAt: 100)))),
        .taskFence(TaskFence(id: "t2", version: 1, action: .settle(PromiseSettle(id: "t2.c", state: .resolved)))),
        .taskAcquire(TaskAcquire(id: "t3", version: 1, pid: "q", ttl: 1_000)),
        .taskFulfill(TaskFulfill(id: "t4", version: 2, settle: PromiseSettle(id: "t4", state: .resolved))),
        .promiseRegisterCallback(awaited: "r2:1", awaiter: "r2"),
        .promiseRegisterListener(awaited: "r3", address: "poll://any@y"),
    ]

    /// A request set and the state it starts from.
    enum Workload: String, CaseIterable, Sendable {
        case promises, tasks

        var requests: [Request] { self == .promises ? BatchedWriteTests.requests : BatchedWriteTests.taskRequests }

        func seed(_ transaction: some StoreTransaction) async throws {
            if self == .promises {
                try await BatchedWriteTests.seed(transaction)
            } else {
                try await BatchedWriteTests.seedTasks(transaction)
            }
        }
    }

    @Test(
        "a batch answers and stores what its requests do one by one on SQLite",
        arguments: Workload.allCases)
    func batchMatchesSerialRequests(_ workload: Workload) async throws {
        let clock = ManualClock(now: 20)
        let sqlite = PostgresFixtures.engine(try SQLiteStore(location: .memory), clock: clock)
        try await sqlite.store.write { try await workload.seed($0) }
        let requests = workload.requests
        var expected: [Reply] = []
        for request in requests { expected.append(await sqlite.execute(request)) }
        if workload == .tasks { #expect(expected.map(\.status) == Array(repeating: 200, count: requests.count)) }
        let expectedState = try await sqlite.store.read { try await $0.snapshot() }

        let store = try PostgresFixtures.store(try await PostgresFixtures.database()) { $0.concurrentBatches = 1 }
        let postgres = PostgresFixtures.engine(store, clock: clock)
        try await PostgresFixtures.running([store]) {
            try await store.write { try await workload.seed($0) }
            let before = store.sharedCommits
            // The ids are distinct, so any order of the batch gives each request the answer it gets alone.
            let replies = try await GroupCommitTests.holdingTheQueue(store, whileQueueing: requests.count) {
                await withTaskGroup(of: (Int, Reply).self) { group in
                    for (index, request) in requests.enumerated() {
                        group.addTask { (index, await postgres.execute(request)) }
                    }
                    var replies = [Reply?](repeating: nil, count: requests.count)
                    for await (index, reply) in group { replies[index] = reply }
                    return replies.compactMap { $0 }
                }
            }
            #expect(store.sharedCommits == before + 1, "the requests queued behind the held write share one commit")
            #expect(store.retriedTransactions == 0)
            for (index, request) in requests.enumerated() {
                #expect(replies[index] == expected[index], "\(request)")
            }
            let state = try await store.read { try await $0.snapshot() }
            #expect(state.promises == expectedState.promises)
            #expect(state.tasks == expectedState.tasks)
            #expect(Set(state.callbacks) == Set(expectedState.callbacks))
            #expect(Set(state.listeners) == Set(expectedState.listeners))
            // Sequence numbers follow the order the requests ran in, which a batch does not fix.
            let messages = { (entries: [OutboxEntry]) in Set(entries.map { "\($0.content) to \($0.address)" }) }
            #expect(messages(state.outbox) == messages(expectedState.outbox))
            let tagged = try await store.read { transaction in
                try await transaction.searchPromises(state: nil, tags: ["a": "1"], after: nil, limit: 10).map(\.id)
            }
            #expect(tagged == (workload == .promises ? ["n1"] : []))
        }
    }

    @Test(
        "64 clients creating and settling 1,024 promises in shared batches leave every promise settled with its value")
    func sharedBatchesAtScale() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database(), poolSize: 8)
        let engine = PostgresFixtures.engine(store, clock: ManualClock(now: 20))
        try await PostgresFixtures.running([store]) {
            let statuses = await withTaskGroup(of: [Int].self) { group in
                for client in 0..<64 {
                    group.addTask {
                        var statuses: [Int] = []
                        for index in 0..<16 {
                            let id = "c\(client)-\(index)"
                            statuses.append(
                                await engine.execute(.promiseCreate(PromiseCreate(id: id, timeoutAt: 1_000))).status)
                            let value = Value(headers: ["n": id], data: "dg==")
                            statuses.append(
                                await engine.execute(
                                    .promiseSettle(PromiseSettle(id: id, state: .resolved, value: value))
                                )
                                .status)
                        }
                        return statuses
                    }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 2_048)
            #expect(statuses.allSatisfy { $0 == 200 })
            let promises = try await store.read { try await $0.snapshot() }.promises
            #expect(promises.count == 1_024)
            #expect(
                promises.allSatisfy {
                    $0.state == .resolved && $0.value == Value(headers: ["n": $0.id], data: "dg==")
                        && $0.settledAt == 20
                })
            // Shared commits happened, so requests met in batches (and their reads and writes were batched).
            #expect(store.sharedCommits > 0)
        }
    }

    @Test("read up front, creations and settlements need no statement until the commit, which sends two")
    func deferredUntilTheCommit() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            try await store.write { try await Self.seed($0) }
            let counts = try await store.write { transaction in
                try await transaction.prefetch(promiseIDs: ["s0", "s1", "n0", "n1", "done"])
                let afterPrefetch = transaction.statementCount
                let inserted = [
                    try await transaction.insertPromiseIfAbsent(
                        PromiseRecord(id: "n0", state: .pending, timeoutAt: 100, createdAt: 20)),
                    try await transaction.insertPromiseIfAbsent(
                        PromiseRecord(id: "s1", state: .pending, timeoutAt: 100, createdAt: 20)),
                ]
                let settled = try await transaction.settlePromiseIfPending(
                    id: "s0", state: .resolved, value: .empty, settledAt: 20)
                let again = try await transaction.settlePromiseIfPending(
                    id: "s0", state: .rejected, value: .empty, settledAt: 21)
                let created = try await transaction.promise(id: "n0")
                #expect(inserted == [true, false])
                guard case .settled(_, let waiters) = settled else {
                    Issue.record("s0 was not settled: \(settled)")
                    return (afterPrefetch, -1)
                }
                #expect(waiters.awaiters == ["w0", "w1"])
                #expect(waiters.listeners == ["http://x/Z", "poll://any@a", "poll://any@b"])
                guard case .unchanged(let record) = again else {
                    Issue.record("s0 was settled twice: \(again)")
                    return (afterPrefetch, -1)
                }
                #expect(record.state == .resolved)
                #expect(created?.state == .pending)
                return (afterPrefetch, transaction.statementCount - afterPrefetch)
            }
            #expect(counts.0 == 1, "the promises and the waiters of the pending ones in one round trip")
            #expect(counts.1 == 0)
            let state = try await store.read { try await $0.snapshot() }
            #expect(state.promises.first { $0.id == "s0" }?.state == .resolved)
            #expect(state.promises.contains { $0.id == "n0" })
            #expect(!state.listeners.contains { $0.promiseID == "s0" })
            #expect(state.callbacks.filter { $0.awaited == "s0" }.allSatisfy { $0.ready })
        }
    }

    @Test("a statement in between writes what was held back first, so it reads it")
    func heldBackWritesPrecedeTheNextStatement() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            let found = try await store.write { transaction in
                try await transaction.insertPromise(
                    PromiseRecord(id: "p", state: .pending, tags: ["t": "1"], timeoutAt: 100, createdAt: 1))
                return try await transaction.searchPromises(state: .pending, tags: ["t": "1"], after: nil, limit: 5)
                    .map(\.id)
            }
            #expect(found == ["p"])
        }
    }
}
