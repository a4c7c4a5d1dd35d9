// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import ResonatePostgres
import ResonateProtocol
import ResonateServer
import ResonateTestSupport
import ResonateTesting
import Testing

/// The stores are interchangeable: the seeded random request stream of ``RandomRequestTests`` goes through an
/// engine on SQLite and an engine on PostgreSQL side by side, and every answer, byte for byte, and the complete
/// stored state must be the same.
@Suite("Store differential", .timeLimit(.minutes(10)))
struct StoreDifferentialTests {
    @Test(
        "the same seeded requests get identical answers and leave identical state on SQLite and PostgreSQL",
        arguments: [UInt64(0xD1FF_5EED), UInt64(0x5EED_CAFE)]
    )
    func storesAgree(seed: UInt64) async throws {
        try await PostgresProcess.with { postgres in
            var logger = Logger(label: "resonate.test.differential")
            logger.logLevel = .critical
            var configuration = EngineConfiguration()
            configuration.isDebugEnabled = true
            let clock = ManualClock(now: 1_900_000_000_000)
            let sqlite = Engine(
                store: try SQLiteStore(location: .memory), configuration: configuration, clock: clock, logger: logger)
            let postgresStore = try PostgresStore(
                configuration: try PostgresStore.Configuration(url: try await postgres.createDatabase()),
                logger: logger
            )
            let onPostgres = Engine(store: postgresStore, configuration: configuration, clock: clock, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await postgresStore.run() }
                defer { group.cancelAll() }
                var generator = RequestGenerator(seed: seed, start: 1_900_000_000_000)
                var mismatches = 0
                for step in 1...3_000 {
                    let body = generator.next()
                    let expected = await sqlite.handle(body: body)
                    let actual = await onPostgres.handle(body: body)
                    if expected.status != actual.status || expected.body != actual.body {
                        mismatches += 1
                        Issue.record(
                            """
                            step \(step): \(String(decoding: body, as: UTF8.self))
                            SQLite:     \(expected.status) \(String(decoding: expected.body, as: UTF8.self))
                            PostgreSQL: \(actual.status) \(String(decoding: actual.body, as: UTF8.self))
                            """
                        )
                        if mismatches >= 5 { return }
                    }
                    generator.observe(try JSONParser().parse(expected.body))
                    if step % 500 == 0 {
                        try await Self.compareSnapshots(sqlite, onPostgres, step: step)
                    }
                }
                try await Self.compareSnapshots(sqlite, onPostgres, step: 3_000)
            }
        }
    }

    /// Compares the stores' complete state, reporting the first difference of each kind of row.
    static func compareSnapshots(
        _ sqlite: Engine<SQLiteStore>, _ postgres: Engine<PostgresStore>, step: Int
    ) async throws {
        let expected = try await sqlite.store.read { try await $0.snapshot() }
        let actual = try await postgres.store.read { try await $0.snapshot() }
        func compare<Row: Equatable>(_ name: String, _ left: [Row], _ right: [Row]) {
            guard left != right else { return }
            let index =
                zip(left, right).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(left.count, right.count)
            Issue.record(
                """
                after \(step) requests, \(name) differ (SQLite \(left.count), PostgreSQL \(right.count)) at \(index):
                SQLite:     \(index < left.count ? "\(left[index])" : "none")
                PostgreSQL: \(index < right.count ? "\(right[index])" : "none")
                """
            )
        }
        compare("promises", expected.promises, actual.promises)
        compare("tasks", expected.tasks, actual.tasks)
        compare("callbacks", expected.callbacks, actual.callbacks)
        compare("listeners", expected.listeners, actual.listeners)
        compare("outbox entries", expected.outbox, actual.outbox)
        compare("schedules", expected.schedules, actual.schedules)
        #expect(!expected.promises.isEmpty, "the stream created nothing")
    }
}
