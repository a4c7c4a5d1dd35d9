// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Testing

@testable import ResonatePostgres

/// Operations that take SQLite several statements take one round trip on PostgreSQL, with the same outcome.
@Suite("PostgreSQL statements that save round trips", .sharedPostgres, .timeLimit(.minutes(2)))
struct CombinedStatementTests {
    /// Two promises; three callbacks on the first (one already ready) and one on the second; three listeners on
    /// the first and one on the second.
    static func seed(_ transaction: some StoreTransaction) async throws {
        for id in ["p", "other"] {
            try await transaction.insertPromise(PromiseRecord(id: id, state: .pending, timeoutAt: 9, createdAt: 1))
        }
        try await transaction.insertCallback(awaited: "p", awaiter: "w2", ready: false)
        try await transaction.insertCallback(awaited: "p", awaiter: "w1", ready: true)
        try await transaction.insertCallback(awaited: "p", awaiter: "W3", ready: false)
        try await transaction.insertCallback(awaited: "other", awaiter: "w1", ready: false)
        for address in ["poll://any@b", "poll://any@a", "http://x/Z"] {
            try await transaction.insertListener(promiseID: "p", address: address)
        }
        try await transaction.insertListener(promiseID: "other", address: "poll://any@a")
    }

    static func settle(_ transaction: some StoreTransaction) async throws -> SettlementWaiters {
        try await transaction.settlePromise(
            id: "p", state: .resolved, value: Value(headers: ["h": "1"], data: "ZA=="), settledAt: 5)
    }

    @Test("the waiters, the rows left and the settled promise match SQLite's, in one round trip")
    func oneStatementLikeTheDefault() async throws {
        let postgres = try PostgresFixtures.store(try await PostgresFixtures.database())
        let sqlite = try SQLiteStore(location: .memory)
        try await sqlite.write { try await Self.seed($0) }
        let expected = try await sqlite.write { try await Self.settle($0) }
        let expectedRows = try await sqlite.read { try await $0.snapshot() }
        #expect(
            expected
                == SettlementWaiters(
                    awaiters: ["W3", "w1", "w2"], listeners: ["http://x/Z", "poll://any@a", "poll://any@b"]))

        try await PostgresFixtures.running([postgres]) {
            try await postgres.write { try await Self.seed($0) }
            let (waiters, statements) = try await postgres.write { transaction in
                let before = transaction.statementCount
                let waiters = try await Self.settle(transaction)
                return (waiters, transaction.statementCount - before)
            }
            #expect(waiters == expected)
            #expect(statements == 1)
            let rows = try await postgres.read { try await $0.snapshot() }
            #expect(rows.promises == expectedRows.promises)
            #expect(Set(rows.callbacks) == Set(expectedRows.callbacks))
            #expect(Set(rows.listeners) == Set(expectedRows.listeners))
        }
    }

    /// Each promise's `insertPromiseIfAbsent` outcome and the statements it took.
    static func insertions(
        _ promises: [PromiseRecord], _ transaction: PostgresTransaction
    ) async throws -> (inserted: [Bool], statements: [Int]) {
        var statements: [Int] = []
        var inserted: [Bool] = []
        for promise in promises {
            let before = transaction.statementCount
            inserted.append(try await transaction.insertPromiseIfAbsent(promise))
            statements.append(transaction.statementCount - before)
        }
        return (inserted, statements)
    }

    @Test(
        "a promise is inserted unless its id exists, in one statement, or none when the transaction read or inserted the id"
    )
    func insertIfAbsent() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            let first = PromiseRecord(
                id: "p", state: .pending, tags: ["a": "1", "b": "2"], timeoutAt: 9, createdAt: 1)
            let second = PromiseRecord(id: "p", state: .pending, tags: ["c": "3"], timeoutAt: 9, createdAt: 1)
            // Inserted, then remembered: the second attempt needs no round trip.
            let inserting = try await store.write { transaction in
                try await Self.insertions([first, second], transaction)
            }
            #expect(inserting.inserted == [true, false])
            #expect(inserting.statements == [1, 0])
            // Another transaction finds the id in one statement; once it read the row, in none.
            let finding = try await store.write { transaction in
                let unread = try await Self.insertions([second], transaction)
                _ = try await transaction.promise(id: "p")
                let read = try await Self.insertions([second], transaction)
                return (inserted: unread.inserted + read.inserted, statements: unread.statements + read.statements)
            }
            #expect(finding.inserted == [false, false])
            #expect(finding.statements == [1, 0])
            let stored = try await store.read { transaction in
                (
                    try await transaction.promise(id: "p"),
                    try await transaction.searchPromises(state: nil, tags: ["b": "2"], after: nil, limit: 10).map(\.id),
                    try await transaction.searchPromises(state: nil, tags: ["c": "3"], after: nil, limit: 10).map(\.id)
                )
            }
            #expect(stored.0 == first)
            #expect(stored.1 == ["p"])
            #expect(stored.2.isEmpty)
        }
    }

    /// The promise `p` of ``seed(_:)`` as each case leaves it before the conditional settlement at time 5.
    enum Precondition: String, CaseIterable, Sendable {
        case pending, alreadyResolved, pastItsTimeout, absent
    }

    static func prepare(_ precondition: Precondition, _ transaction: some StoreTransaction) async throws {
        try await seed(transaction)
        switch precondition {
        case .pending: break
        case .alreadyResolved:
            try await transaction.settlePromise(id: "p", state: .resolved, value: .empty, settledAt: 2)
        case .pastItsTimeout:
            try await transaction.settlePromise(id: "other", state: .resolved, value: .empty, settledAt: 2)
        case .absent: break
        }
    }

    static func settleIfPending(
        _ precondition: Precondition, _ transaction: some StoreTransaction
    ) async throws -> ConditionalSettlement {
        // `p` times out at 9: settling at 9 finds it due. `absent` names an id nobody created.
        let id = precondition == .absent ? "nobody" : "p"
        let time: Int64 = precondition == .pastItsTimeout ? 9 : 5
        return try await transaction.settlePromiseIfPending(
            id: id, state: .rejected, value: Value(headers: ["e": "1"], data: "ZQ=="), settledAt: time)
    }

    @Test(
        "a conditional settlement does what the default does, in one round trip, and a later read of the row needs none",
        arguments: Precondition.allCases)
    func conditionalSettlement(_ precondition: Precondition) async throws {
        let postgres = try PostgresFixtures.store(try await PostgresFixtures.database())
        let sqlite = try SQLiteStore(location: .memory)
        try await sqlite.write { try await Self.prepare(precondition, $0) }
        let expected = try await sqlite.write { try await Self.settleIfPending(precondition, $0) }
        let expectedRows = try await sqlite.read { try await $0.snapshot() }
        switch (precondition, expected) {
        case (.pending, .settled(let before, let waiters)):
            #expect(before.state == .pending)
            #expect(waiters.awaiters == ["W3", "w1", "w2"])
        case (.alreadyResolved, .unchanged(let promise)): #expect(promise.state == .resolved)
        case (.pastItsTimeout, .unchanged(let promise)): #expect(promise.state == .pending)
        case (.absent, .absent): break
        default: Issue.record("SQLite's default answered \(expected) for \(precondition)")
        }

        try await PostgresFixtures.running([postgres]) {
            try await postgres.write { try await Self.prepare(precondition, $0) }
            let (outcome, statements, readAgain) = try await postgres.write { transaction in
                let before = transaction.statementCount
                let outcome = try await Self.settleIfPending(precondition, transaction)
                let statements = transaction.statementCount - before
                let afterOutcome = transaction.statementCount
                switch outcome {
                case .unchanged: _ = try await transaction.promise(id: "p")
                case .absent: _ = try await transaction.promise(id: "nobody")
                case .settled: break
                }
                return (outcome, statements, transaction.statementCount - afterOutcome)
            }
            #expect(outcome == expected)
            #expect(statements == 1)
            #expect(readAgain == 0)
            let rows = try await postgres.read { try await $0.snapshot() }
            #expect(rows.promises == expectedRows.promises)
            #expect(Set(rows.callbacks) == Set(expectedRows.callbacks))
            #expect(Set(rows.listeners) == Set(expectedRows.listeners))
        }
    }
}
