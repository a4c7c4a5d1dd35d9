// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Testing

@testable import ResonatePostgres

/// A transaction reads a task row from the database once: later reads by id answer from what it read, claimed or
/// wrote itself, which no other transaction can change while it holds the row.
@Suite("PostgreSQL transactions remember task rows", .sharedPostgres, .timeLimit(.minutes(2)))
struct TaskRowCacheTests {
    @Test("a task row read, inserted, claimed or updated is read again without a round trip, and as stored")
    func rowsAreRemembered() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        try await PostgresFixtures.running([store]) {
            let pending = TaskRow(id: "t", state: .pending, version: 1, timeout: TaskTimeout(kind: .retry, at: 5))
            let acquired = TaskRow(
                id: "t", state: .acquired, version: 2, pid: "worker", ttl: 60_000,
                timeout: TaskTimeout(kind: .lease, at: 60_005))
            let statements = try await store.write { transaction in
                #expect(try await transaction.task(id: "t") == nil)
                let first = transaction.statementCount
                #expect(try await transaction.task(id: "t") == nil)
                try await transaction.insertTask(pending)
                #expect(try await transaction.task(id: "t") == pending)
                try await transaction.updateTask(acquired)
                #expect(try await transaction.task(id: "t") == acquired)
                return transaction.statementCount - first
            }
            // The insert and the update; none of the three reads after the first.
            #expect(statements == 2)
            // What the transaction answered is what the database holds.
            #expect(try await store.read { try await $0.task(id: "t") } == acquired)

            let claimed = try await store.write { transaction in
                let rows = try await transaction.expiredTasks(at: 100_000, limit: 10)
                let before = transaction.statementCount
                let released = TaskRow(
                    id: "t", state: .pending, version: 3, ttl: 60_000,
                    timeout: TaskTimeout(kind: .retry, at: 100_000))
                try await transaction.updateTask(released)
                let reread = try await transaction.task(id: "t")
                return (rows, reread == released, transaction.statementCount - before)
            }
            #expect(claimed.0 == [acquired])
            #expect(claimed.1)
            #expect(claimed.2 == 1)

            // An update of a row this transaction neither read, inserted nor claimed proves nothing: it matched
            // no row here, and a read by id asks the database.
            let unknown = try await store.write { transaction in
                try await transaction.updateTask(TaskRow(id: "absent", state: .pending, version: 1))
                return try await transaction.task(id: "absent")
            }
            #expect(unknown == nil)
        }
    }
}
