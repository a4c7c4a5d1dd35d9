// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
import ResonateEngine
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

@testable import ResonatePostgres

@Suite("PostgreSQL migrations and start-up", .sharedPostgres, .timeLimit(.minutes(2)))
struct MigrationTests {
    /// The rows of `resonate_schema_migrations`, as (version, applied_at text).
    static func migrations(_ store: PostgresStore) async throws -> [String] {
        try await store.read { transaction in
            try await transaction.rows(
                "SELECT version::text || ' ' || name || ' ' || applied_at::text FROM resonate_schema_migrations ORDER BY version"
            ).map { try $0.decode(String.self) }
        }
    }

    @Test("migrations apply once; a restart applies nothing and finds the data")
    func restartIsIdempotent() async throws {
        let url = try await PostgresFixtures.database()
        let first = try PostgresFixtures.store(url)
        let applied = try await PostgresFixtures.running([first]) {
            try await first.write { transaction in
                try await transaction.insertPromise(
                    PromiseRecord(id: "kept", state: .pending, tags: ["k": "v"], timeoutAt: 9, createdAt: 1))
            }
            return try await Self.migrations(first)
        }
        #expect(applied.count == PostgresSchema.migrations.count)
        let second = try PostgresFixtures.store(url)
        try await PostgresFixtures.running([second]) {
            #expect(try await Self.migrations(second) == applied, "the restart must not apply anything again")
            let kept = try await second.read { try await $0.promise(id: "kept") }
            #expect(kept?.tags == ["k": "v"])
        }
    }

    @Test("replicas starting together on an empty database migrate it exactly once")
    func concurrentStartsMigrateOnce() async throws {
        let url = try await PostgresFixtures.database()
        let replicas = try (0..<6).map { _ in try PostgresFixtures.store(url, poolSize: 2) }
        try await PostgresFixtures.running(replicas) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, replica) in replicas.enumerated() {
                    group.addTask {
                        try await replica.write { transaction in
                            try await transaction.insertPromise(
                                PromiseRecord(id: "from-\(index)", state: .pending, timeoutAt: 9, createdAt: 1))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.migrations(replicas[0]).count == PostgresSchema.migrations.count)
            let ids = try await replicas[5].read { try await $0.snapshot() }.promises.map(\.id)
            #expect(ids == (0..<6).map { "from-\($0)" })
        }
    }

    @Test("a database migrated by a newer build is refused, and so is every operation")
    func newerSchemaIsRefused() async throws {
        let url = try await PostgresFixtures.database()
        let current = try PostgresFixtures.store(url)
        try await PostgresFixtures.running([current]) {
            try await current.write { transaction in
                _ = try await transaction.rows(
                    "INSERT INTO resonate_schema_migrations (version, name) VALUES (\(PostgresSchema.newestVersion + 1), 'future')"
                )
            }
        }
        let older = try PostgresFixtures.store(url)
        await #expect {
            try await older.run()
        } throws: { error in
            (error as? PostgresStoreError)?.code == .schemaTooNew
        }
        await #expect {
            try await older.read { try await $0.promise(id: "x") }
        } throws: { error in
            (error as? PostgresStoreError)?.code == .schemaTooNew
        }
        #expect(await older.isReady() == false)
    }

    @Test("an unknown database fails start-up at once, naming the cause")
    func unknownDatabase() async throws {
        let server = try SharedPostgres.server()
        // A start-up timeout far longer than the check below: a store that retried would wait it out.
        let store = try PostgresFixtures.store(server.url(database: "no_such_database")) {
            $0.startupTimeout = .seconds(300)
        }
        let started = ContinuousClock.now
        await #expect {
            try await store.run()
        } throws: { error in
            guard let error = error as? PostgresStoreError else { return false }
            return error.code == .connectionFailed && error.sqlState == "3D000"
                && error.message.contains("no_such_database")
        }
        #expect(ContinuousClock.now - started < .seconds(120), "a permanent failure must not be retried")
    }

    @Test("a server that does not answer fails start-up after the start-up timeout")
    func unreachableServer() async throws {
        let port = try LocalPorts.free()
        let store = try PostgresFixtures.store("postgres://postgres@127.0.0.1:\(port)/resonate") {
            $0.startupTimeout = .milliseconds(800)
        }
        await #expect {
            try await store.run()
        } throws: { error in
            (error as? PostgresStoreError)?.code == .connectionFailed
        }
    }

    @Test("operations issued before the migrations finish wait for them instead of failing")
    func operationsWaitForMigrations() async throws {
        let url = try await PostgresFixtures.database()
        let store = try PostgresFixtures.store(url)
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await store.write { transaction in
                    try await transaction.insertPromise(
                        PromiseRecord(id: "early", state: .pending, timeoutAt: 9, createdAt: 1))
                }
                return "write"
            }
            // Nothing has connected yet: the write is waiting for the store to start.
            #expect(await store.isReady() == false)
            group.addTask {
                try await store.run()
                return "run"
            }
            let firstDone = try await group.next()
            #expect(firstDone == "write")
            let early = try await store.read { try await $0.promise(id: "early") }
            #expect(early != nil)
            #expect(await store.isReady())
            group.cancelAll()
        }
    }
}
