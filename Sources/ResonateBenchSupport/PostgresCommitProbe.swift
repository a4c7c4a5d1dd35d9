// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Logging
import PostgresNIO
public import ResonatePostgres
import ResonateProtocol

/// Measures the physical limit of durable writes on a PostgreSQL server: single-row commits per second from one
/// client with `synchronous_commit = on` — one WAL flush each, the rate a server that commits one request at a
/// time could not exceed.
public enum PostgresCommitProbe {
    /// Commits single rows into a scratch table (created and dropped in `configuration`'s database) for
    /// `duration`; returns commits per second.
    ///
    /// ```swift
    /// let limit = try await PostgresCommitProbe.commitsPerSecond(
    ///     configuration: .init(url: "postgres://postgres@127.0.0.1:5432/bench"), duration: .seconds(5))
    /// ```
    public static func commitsPerSecond(
        configuration: PostgresStore.Configuration,
        duration: Duration,
        logger: Logger = Logger(label: "resonate.postgres.probe")
    ) async throws -> Double {
        try configuration.validate()
        let connection = try await PostgresConnection.connect(
            configuration: try configuration.connectionConfiguration(),
            id: 0,
            logger: logger
        )
        do {
            // A regular (logged) table: temporary and unlogged tables skip the WAL and would measure nothing.
            let table = "resonate_commit_probe_\(UInt32.random(in: 0...UInt32.max))"
            try await connection.run(
                "CREATE TABLE \(unescaped: table) (id bigserial PRIMARY KEY, payload text NOT NULL)", logger: logger)
            let clock = ContinuousClock()
            let start = clock.now
            var commits = 0
            do {
                while clock.now - start < duration {
                    // Outside an explicit transaction each INSERT commits on its own and waits for its WAL flush.
                    try await connection.run(
                        "INSERT INTO \(unescaped: table) (payload) VALUES (\("payload-\(commits)"))", logger: logger)
                    commits += 1
                }
            } catch {
                try? await connection.run("DROP TABLE \(unescaped: table)", logger: logger)
                throw error
            }
            let elapsed = clock.now - start
            try await connection.run("DROP TABLE \(unescaped: table)", logger: logger)
            try? await connection.close()
            return Double(commits) / elapsed.inSeconds
        } catch {
            try? await connection.close()
            throw PostgresStore.storeError(error, context: "the commit probe failed")
        }
    }
}
