// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
import ResonateEngine
import ResonateProtocol
import ResonateTesting
import Synchronization
import Testing

@testable import ResonatePostgres

/// Concurrent writes share transactions, and a batch with a failing write still commits the others.
@Suite("PostgreSQL group commit", .sharedPostgres, .timeLimit(.minutes(2)))
struct GroupCommitTests {
    static func promise(_ id: String) -> PromiseRecord {
        PromiseRecord(id: id, state: .pending, timeoutAt: 9, createdAt: 1)
    }

    /// The current transaction's id.
    static func transactionID(_ transaction: PostgresTransaction) async throws -> Int64 {
        try await transaction.rows("SELECT txid_current()").first!.decode(Int64.self)
    }

    /// Holds the only queue's leader in its closure until `release` opens, so that writes submitted meanwhile
    /// queue up and run as one batch after it; returns once `count` writes wait.
    static func holdingTheQueue<T: Sendable>(
        _ store: PostgresStore,
        whileQueueing count: Int,
        _ writes: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let holding = Latch()
        let release = Latch()
        async let held: Void = store.write { _ in
            holding.open()
            try await release.wait(for: "the test to queue its writes")
        }
        try await holding.wait(for: "the first write to lead")
        async let result = writes()
        try await eventually("\(count) writes to wait behind the first", within: .seconds(20)) {
            store.writeQueues[0].jobs.withLock { $0.waiting.count } == count
        }
        release.open()
        try await held
        return try await result
    }

    @Test("200 concurrent writes commit in fewer transactions than writes, and every one is stored")
    func concurrentWritesShareTransactions() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database()) { $0.concurrentBatches = 2 }
        try await PostgresFixtures.running([store]) {
            let transactions = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await store.write { transaction in
                            try await transaction.insertPromise(Self.promise("p\(index)"))
                            return try await Self.transactionID(transaction)
                        }
                    }
                }
                var ids: Set<Int64> = []
                for try await id in group { ids.insert(id) }
                return ids
            }
            #expect(transactions.count < 200, "every write had its own transaction")
            #expect(store.sharedCommits > 0)
            let stored = try await store.read { try await $0.snapshot() }.promises
            #expect(stored.count == 200)
        }
    }

    @Test("queued writes run as one batch: each sees the writes before it, and all commit together")
    func aBatchIsOneTransaction() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database()) { $0.concurrentBatches = 1 }
        try await PostgresFixtures.running([store]) {
            // Ten writes, each counting the promises the batch wrote before it and adding one.
            let outcomes = try await Self.holdingTheQueue(store, whileQueueing: 10) {
                try await withThrowingTaskGroup(of: (seen: Int, transaction: Int64).self) { group in
                    for index in 0..<10 {
                        group.addTask {
                            try await store.write { transaction in
                                let seen = try await transaction.searchPromises(
                                    state: nil, tags: [:], after: nil, limit: 100
                                ).count
                                try await transaction.insertPromise(Self.promise("b\(index)"))
                                return (seen, try await Self.transactionID(transaction))
                            }
                        }
                    }
                    var outcomes: [(seen: Int, transaction: Int64)] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
            }
            #expect(Set(outcomes.map(\.transaction)).count == 1)
            #expect(outcomes.map(\.seen).sorted() == Array(0..<10))
            #expect(store.sharedCommits == 1)
            #expect(try await store.read { try await $0.snapshot() }.promises.count == 10)
        }
    }

    @Test(
        "a write that fails in a batch fails alone: the batch rolls back and the others run again and commit",
        arguments: ["closure", "statement"]
    )
    func aFailureRunsTheOthersAlone(failure: String) async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database()) { $0.concurrentBatches = 1 }
        try await PostgresFixtures.running([store]) {
            struct Refused: Error {}
            // Which write's closure ran, in order.
            let runs = Runs()
            let outcomes = try await Self.holdingTheQueue(store, whileQueueing: 5) {
                await withTaskGroup(of: (Int, Result<Int64, any Error>).self) { group in
                    for index in 0..<5 {
                        group.addTask {
                            do {
                                let transactionID = try await store.write { transaction in
                                    runs.entries.withLock { $0.append(index) }
                                    try await transaction.insertPromise(Self.promise("f\(index)"))
                                    if index == 2 {
                                        if failure == "closure" { throw Refused() }
                                        // Division by zero: a statement error that retrying cannot cure.
                                        try await transaction.rows("SELECT 1 / 0")
                                    }
                                    return try await Self.transactionID(transaction)
                                }
                                return (index, .success(transactionID))
                            } catch {
                                return (index, .failure(error))
                            }
                        }
                    }
                    var outcomes: [Int: Result<Int64, any Error>] = [:]
                    for await (index, result) in group { outcomes[index] = result }
                    return outcomes
                }
            }
            for index in [0, 1, 3, 4] {
                #expect((try? outcomes[index]?.get()) != nil, "write \(index) failed")
            }
            switch outcomes[2] {
            case .failure(let error) where failure == "closure": #expect(error is Refused)
            case .failure(let error): #expect((error as? PostgresStoreError)?.sqlState == "22012")
            default: Issue.record("the failing write succeeded")
            }
            // The batch ran up to the failing write and stopped; then each write ran once alone.
            let order = runs.entries.withLock { $0 }
            let inBatch = order.prefix { $0 != 2 }.count + 1
            #expect(Array(order.prefix(inBatch)).last == 2)
            #expect(order.count == inBatch + 5)
            #expect(order.dropFirst(inBatch).sorted() == Array(0..<5))
            #expect(store.sharedCommits == 0)
            let stored = try await store.read { try await $0.snapshot() }.promises.map(\.id)
            #expect(stored.sorted() == ["f0", "f1", "f3", "f4"])
        }
    }
}

/// The order in which writes' closures ran.
final class Runs: Sendable {
    let entries = Mutex<[Int]>([])
}
