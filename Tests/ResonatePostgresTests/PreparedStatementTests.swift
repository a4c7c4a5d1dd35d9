// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
import ResonateEngine
import ResonateProtocol
import Testing

@testable import ResonatePostgres

/// The store's statements are parsed and planned once per connection, and run with the right parameter types
/// whatever the first execution bound.
@Suite("PostgreSQL prepared statements", .sharedPostgres, .timeLimit(.minutes(2)))
struct PreparedStatementTests {
    /// The session's prepared statements and how many times PostgreSQL planned (so ran) each, read on the
    /// transaction's own connection, unprepared.
    static func preparedStatements(_ transaction: PostgresTransaction) async throws -> [String: Int64] {
        let rows = try await transaction.connection.statement(
            "SELECT name, generic_plans + custom_plans FROM pg_prepared_statements", logger: transaction.logger)
        var executions: [String: Int64] = [:]
        for row in rows {
            let (name, count) = try row.decode((String, Int64).self)
            executions[name] = count
        }
        return executions
    }

    static func createAndSettle(_ store: PostgresStore, count: Int) async throws {
        for index in 0..<count {
            try await store.write { transaction in
                let promise = PromiseRecord(id: "p\(index)", state: .pending, timeoutAt: 9, createdAt: 1)
                _ = try await transaction.insertPromiseIfAbsent(promise)
            }
            try await store.write { transaction in
                _ = try await transaction.promise(id: "p\(index)")
                try await transaction.settlePromise(
                    id: "p\(index)", state: .resolved, value: Value(data: "ZA=="), settledAt: 2)
            }
        }
    }

    @Test("each statement text is prepared once on a connection and run again without being parsed")
    func preparedOncePerConnection() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database(), poolSize: 1)
        try await PostgresFixtures.running([store]) {
            try await Self.createAndSettle(store, count: 20)
            let executions = try await store.read { try await Self.preparedStatements($0) }
            let read = PreparedStatements.number(
                of: "SELECT \(PostgresTransaction.promiseColumns) FROM promises WHERE id = $1 FOR UPDATE")
            let name = try #require(read.map { "resonate_\($0)" })
            // Twenty settlements read their promise with the same prepared statement on the one connection.
            #expect((executions[name] ?? 0) >= 20)
            #expect(executions.keys.allSatisfy { $0.hasPrefix("resonate_") })
            #expect(executions.count < PreparedStatements.capacity)
        }
    }

    @Test("with prepared statements off, the session prepares nothing and the store works the same")
    func preparedStatementsOff() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database(), poolSize: 1) {
            $0.usesPreparedStatements = false
        }
        try await PostgresFixtures.running([store]) {
            try await Self.createAndSettle(store, count: 3)
            #expect(try await store.read { try await Self.preparedStatements($0) }.isEmpty)
            let settled = try await store.read { try await $0.promise(id: "p2") }
            #expect(settled?.state == .resolved)
        }
    }

    /// A `NULL` has no type, so PostgreSQL infers the parameter's type from the statement when it is prepared; a
    /// later execution binding text must still be read as text, including where the text is cast to `jsonb`.
    @Test("values bound after a first execution with NULLs are stored exactly")
    func nullsFirstThenValues() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database(), poolSize: 1)
        let bare = PromiseRecord(id: "bare", state: .pending, timeoutAt: 9, createdAt: 1)
        let full = PromiseRecord(
            id: "full", state: .pending, param: Value(headers: ["h": "1"], data: "cGFyYW0="), tags: ["t": "v"],
            timeoutAt: 9, createdAt: 1)
        try await PostgresFixtures.running([store]) {
            for promise in [bare, full] {
                try await store.write { _ = try await $0.insertPromiseIfAbsent(promise) }
            }
            for (id, value) in [("bare", Value()), ("full", Value(headers: ["k": "2"], data: "dmFsdWU="))] {
                try await store.write { transaction in
                    _ = try await transaction.promise(id: id)
                    try await transaction.settlePromise(id: id, state: .resolved, value: value, settledAt: 3)
                }
            }
            let stored = try await store.read { transaction in
                (try await transaction.promise(id: "bare"), try await transaction.promise(id: "full"))
            }
            #expect(stored.0?.param == Value())
            #expect(stored.0?.value == Value())
            #expect(stored.1?.param == full.param)
            #expect(stored.1?.tags == ["t": "v"])
            #expect(stored.1?.value == Value(headers: ["k": "2"], data: "dmFsdWU="))
            #expect(try await store.read { try await Self.preparedStatements($0) }.isEmpty == false)
        }
    }
}
