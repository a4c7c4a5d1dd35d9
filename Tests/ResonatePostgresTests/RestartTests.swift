// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import PostgresNIO
import ResonateBenchSupport
import ResonateEngine
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

@testable import ResonatePostgres

@Suite("PostgreSQL restarts", .timeLimit(.minutes(3)))
struct RestartTests {
    @Test("acknowledged writes survive a PostgreSQL crash, and the store's next writes succeed on new connections")
    func crashAndRestart() async throws {
        try await PostgresProcess.with { postgres in
            let store = try PostgresFixtures.store(try await postgres.createDatabase(), poolSize: 4)
            try await PostgresFixtures.running([store]) {
                // Fill the pool, so that every pooled connection dies with the server.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<40 {
                        group.addTask {
                            try await store.write { transaction in
                                try await transaction.insertPromise(
                                    PromiseRecord(id: "before-\(index)", state: .pending, timeoutAt: 9, createdAt: 1))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                try await postgres.restart(mode: .immediate)
                // Dead connections fail before COMMIT was sent: those transactions run again on fresh ones.
                for index in 0..<10 {
                    try await store.write { transaction in
                        try await transaction.insertPromise(
                            PromiseRecord(id: "after-\(index)", state: .pending, timeoutAt: 9, createdAt: 1))
                    }
                }
                let ids = Set(try await store.read { try await $0.snapshot() }.promises.map(\.id))
                #expect(ids == Set((0..<40).map { "before-\($0)" } + (0..<10).map { "after-\($0)" }))
                #expect(await store.isReady())
            }
        }
    }

    // PostgresNIO drops a statement written to an already closed connection without failing it; awaiting it
    // would hang. These two would hang without the store's guard against that.
    @Test("a statement on a connection that has closed fails at once instead of hanging")
    func statementOnClosedConnection() async throws {
        try await PostgresProcess.with { postgres in
            let configuration = try PostgresStore.Configuration(url: try await postgres.createDatabase())
            let connection = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 1, logger: Logger(label: "test"))
            #expect(try await connection.statement("SELECT 1", logger: Logger(label: "test")).count == 1)
            try await connection.close()
            await #expect(throws: ConnectionClosedBeforeSending.self) {
                try await connection.statement("SELECT 1", logger: Logger(label: "test"))
            }
        }
    }

    @Test("a transaction whose connection dies mid-way runs again on a new connection")
    func connectionDiesMidTransaction() async throws {
        try await PostgresProcess.with { postgres in
            let store = try PostgresFixtures.store(try await postgres.createDatabase(), poolSize: 2)
            try await PostgresFixtures.running([store]) {
                let attempts = Atomic<Int>(0)
                let stored = try await store.write { transaction in
                    if attempts.add(1, ordering: .relaxed).newValue == 1 {
                        // The session ends itself, like a database restart would end it.
                        let ended = await #expect(throws: PSQLError.self) {
                            try await transaction.rows("SELECT pg_terminate_backend(pg_backend_pid())")
                        }
                        try await eventually("the terminated session to close", within: .seconds(30)) {
                            transaction.connection.isClosed
                        }
                        // The closure goes on with the next statement; then the store rolls back: neither may hang.
                        await #expect(throws: ConnectionClosedBeforeSending.self) {
                            try await transaction.rows("SELECT 1")
                        }
                        throw ended ?? ConnectionClosedBeforeSending()
                    }
                    try await transaction.insertPromise(
                        PromiseRecord(id: "after-the-loss", state: .pending, timeoutAt: 9, createdAt: 1))
                    return try await transaction.promise(id: "after-the-loss")
                }
                #expect(stored?.id == "after-the-loss")
                #expect(attempts.load(ordering: .relaxed) == 2)
                #expect(store.retriedTransactions == 1)
            }
        }
    }

    @Test("the commit probe measures single-row commits and leaves no table behind")
    func commitProbe() async throws {
        try await PostgresProcess.with { postgres in
            let url = try await postgres.createDatabase("probe")
            let rate = try await PostgresCommitProbe.commitsPerSecond(
                configuration: try PostgresStore.Configuration(url: url), duration: .milliseconds(300))
            #expect(rate > 0)
            let tables = try await postgres.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: "probe")
            #expect(tables == "0")
        }
    }
}
