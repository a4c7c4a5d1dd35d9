// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
import ResonateEngine
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

@testable import ResonatePostgres

@Suite("PostgreSQL sessions", .timeLimit(.minutes(2)))
struct SessionTests {
    static func setting(_ name: String, in transaction: PostgresTransaction) async throws -> String {
        try await transaction.rows("SELECT current_setting(\(name))").first?.decode(String.self) ?? ""
    }

    @Test("synchronous_commit is on in every session even when the server and the database turn it off")
    func synchronousCommitIsForced() async throws {
        try await PostgresProcess.with(settings: ["synchronous_commit": "off"]) { postgres in
            let url = try await postgres.createDatabase("unsafe_defaults")
            try await postgres.execute("ALTER DATABASE unsafe_defaults SET synchronous_commit = off")
            #expect(try await postgres.execute("SHOW synchronous_commit", database: "unsafe_defaults") == "off")
            let store = try PostgresFixtures.store(url, poolSize: 3)
            try await PostgresFixtures.running([store]) {
                // Several concurrent transactions, so that several pooled connections are checked.
                try await withThrowingTaskGroup(of: (String, String).self) { group in
                    for index in 0..<6 {
                        group.addTask {
                            let write = try await store.write { transaction in
                                try await Self.setting("synchronous_commit", in: transaction)
                            }
                            let read = try await store.read { transaction in
                                try await Self.setting("synchronous_commit", in: transaction)
                            }
                            return (write, read + " \(index)")
                        }
                    }
                    for try await (write, read) in group {
                        #expect(write == "on")
                        #expect(read.hasPrefix("on "))
                    }
                }
            }
        }
    }

    @Test("writes run READ COMMITTED (with row locks) and reads REPEATABLE READ READ ONLY")
    func isolationLevels() async throws {
        try await PostgresProcess.with { postgres in
            let store = try PostgresFixtures.store(try await postgres.createDatabase())
            try await PostgresFixtures.running([store]) {
                let write = try await store.write { transaction in
                    [
                        try await Self.setting("transaction_isolation", in: transaction),
                        try await Self.setting("transaction_read_only", in: transaction),
                    ]
                }
                let read = try await store.read { transaction in
                    [
                        try await Self.setting("transaction_isolation", in: transaction),
                        try await Self.setting("transaction_read_only", in: transaction),
                    ]
                }
                #expect(write == ["read committed", "off"])
                #expect(read == ["repeatable read", "on"])
            }
        }
    }

    @Test("an error in the closure rolls back everything it wrote and passes through unchanged")
    func closureErrorRollsBack() async throws {
        struct Injected: Error, Equatable {}
        try await PostgresProcess.with { postgres in
            let store = try PostgresFixtures.store(try await postgres.createDatabase())
            try await PostgresFixtures.running([store]) {
                await #expect(throws: Injected.self) {
                    try await store.write { transaction in
                        try await transaction.insertPromise(
                            PromiseRecord(id: "doomed", state: .pending, timeoutAt: 9, createdAt: 1))
                        throw Injected()
                    }
                }
                let doomed = try await store.read { try await $0.promise(id: "doomed") }
                #expect(doomed == nil)
                #expect(store.retriedTransactions == 0)
            }
        }
    }

    @Test("a failed statement whose error the closure swallows still fails the write instead of committing")
    func swallowedStatementErrorFailsTheWrite() async throws {
        try await PostgresProcess.with { postgres in
            let store = try PostgresFixtures.store(try await postgres.createDatabase())
            try await PostgresFixtures.running([store]) {
                await #expect {
                    try await store.write { transaction in
                        try await transaction.insertPromise(
                            PromiseRecord(id: "first", state: .pending, timeoutAt: 9, createdAt: 1))
                        _ = try? await transaction.rows("SELECT no_such_column FROM promises")
                    }
                } throws: { error in
                    (error as? PostgresStoreError)?.code == .queryFailed
                }
                let first = try await store.read { try await $0.promise(id: "first") }
                #expect(first == nil)
            }
        }
    }
}
