// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

package import Logging
import NIOCore
package import PostgresNIO

extension PostgresConnection {
    /// Runs one statement and returns all of its rows; reading them to the end also surfaces errors the server
    /// reports after the first row.
    ///
    /// Every statement of the store goes through here rather than `query(_:logger:)`: PostgresNIO (1.33) drops a
    /// statement written to a connection whose channel has already closed, without failing it, so awaiting its
    /// rows would hang forever — after a database restart, a `ROLLBACK` following a lost connection did just
    /// that and stopped a replica's timer loop. Here the statement is written from the connection's event loop
    /// right after checking that the channel is still open; nothing can close it in between, and an open channel
    /// still has the handler that fails every statement it holds when the connection goes.
    ///
    /// - Throws: ``ConnectionClosedBeforeSending`` when the connection had closed: the statement certainly did
    ///   not run. Otherwise the driver's `PSQLError`.
    package func statement(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await eventLoop.flatSubmit { () -> EventLoopFuture<PostgresQueryResult> in
            guard !self.isClosed else { return self.eventLoop.makeFailedFuture(ConnectionClosedBeforeSending()) }
            return self.query(query, logger: logger)
        }.get().rows
    }

    /// Runs one statement to completion and discards its rows.
    package func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await statement(query, logger: logger)
    }
}

/// A statement was not sent because its connection had already closed, so it certainly did not take effect —
/// not even a `COMMIT`.
struct ConnectionClosedBeforeSending: Error, CustomStringConvertible {
    var description: String { "the connection to PostgreSQL had closed before the statement was sent" }
}
