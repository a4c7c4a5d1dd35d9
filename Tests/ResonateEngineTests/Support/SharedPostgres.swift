// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateTestSupport
import ResonateTesting
import Testing

/// A PostgreSQL server for the whole suite it is applied to: started before the suite's first test, stopped and
/// deleted after its last. Each test case then creates its own database on it, so cases stay independent and
/// may run in parallel.
///
/// ```swift
/// @Suite("Promise transitions", .sharedPostgres)
/// ```
struct SharedPostgres: SuiteTrait, TestScoping {
    @TaskLocal static var current: PostgresProcess?

    var isRecursive: Bool { false }

    @concurrent func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @concurrent @Sendable () async throws -> Void
    ) async throws {
        if Self.current != nil { return try await function() }
        // Test cases run in parallel, each with a small pool of its own.
        try await PostgresProcess.with(settings: ["max_connections": "400"]) { postgres in
            try await Self.$current.withValue(postgres) { try await function() }
        }
    }

    /// The server of the running suite.
    static func server() throws -> PostgresProcess {
        guard let current else {
            throw PostgresProcessError(description: "no PostgreSQL server: add the .sharedPostgres trait to the suite")
        }
        return current
    }
}

extension Trait where Self == SharedPostgres {
    /// Runs the suite with a PostgreSQL server of its own (see ``SharedPostgres``).
    static var sharedPostgres: Self { Self() }
}
