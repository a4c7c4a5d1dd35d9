// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import ResonatePostgres
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Synchronization

/// Stores on databases of the suite's PostgreSQL server.
enum PostgresFixtures {
    static var logger: Logger {
        var logger = Logger(label: "resonate.test.postgres")
        logger.logLevel = .warning
        return logger
    }

    /// A new database on the suite's server.
    static func database() async throws -> String {
        try await SharedPostgres.server().createDatabase()
    }

    static func store(
        _ url: String,
        poolSize: Int = 4,
        configure: (inout PostgresStore.Configuration) -> Void = { _ in }
    ) throws -> PostgresStore {
        var configuration = try PostgresStore.Configuration(url: url)
        configuration.maximumConnections = poolSize
        configure(&configuration)
        return try PostgresStore(configuration: configuration, logger: logger)
    }

    /// Runs the stores (pools and migrations) while `body` runs, then stops them.
    @discardableResult
    static func running<T: Sendable>(_ stores: [PostgresStore], _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// A debug-enabled engine on `store` with `clock`.
    static func engine<S: Store>(_ store: S, clock: ManualClock) -> Engine<S> {
        var configuration = EngineConfiguration()
        configuration.isDebugEnabled = true
        return Engine(store: store, configuration: configuration, clock: clock)
    }
}

/// A one-shot event that store closures (which must be `@Sendable`) use to take turns.
final class Latch: Sendable {
    private let isOpen = Atomic<Bool>(false)

    func open() {
        isOpen.store(true, ordering: .releasing)
    }

    /// Waits until the latch is open; after `limit`, throws naming `what` was awaited.
    func wait(for what: String, within limit: Duration = .seconds(60)) async throws {
        try await eventually(what, within: limit, checkingEvery: .milliseconds(1)) {
            isOpen.load(ordering: .acquiring)
        }
    }
}

/// Counts how often a closure ran.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds one and returns the new count.
    @discardableResult
    func increment() -> Int { value.add(1, ordering: .relaxed).newValue }

    var count: Int { value.load(ordering: .relaxed) }
}
