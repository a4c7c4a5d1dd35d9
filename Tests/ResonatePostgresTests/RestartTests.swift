// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonatePostgres
import ResonateProtocol
import ResonateTesting
import Testing

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
