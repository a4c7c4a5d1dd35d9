// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs one statement to completion and discards its rows; reading them to the end also surfaces errors the
    /// server reports after the first row.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}
