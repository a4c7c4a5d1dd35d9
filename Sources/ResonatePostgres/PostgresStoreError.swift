// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A failure of the PostgreSQL store: a configuration it cannot use, a database it cannot migrate, or a query that
/// failed.
///
/// The ``description`` never contains the password of the store URL nor the values bound to a query; it carries
/// the SQLSTATE and the server's message when the server reported the failure.
public struct PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, compared by name.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A short camel-case name such as `"invalidURL"`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The store URL cannot be parsed or names something unsupported.
        public static let invalidURL = Code("invalidURL")
        /// A configuration value is out of range (pool size, attempts).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// No connection could be opened while starting (refused, authentication failed, unknown database).
        public static let connectionFailed = Code("connectionFailed")
        /// Applying the schema migrations failed.
        public static let migrationFailed = Code("migrationFailed")
        /// The database was migrated by a newer build than this one.
        public static let schemaTooNew = Code("schemaTooNew")
        /// A statement, `BEGIN` or `COMMIT` failed.
        public static let queryFailed = Code("queryFailed")
        /// A transaction kept failing with deadlocks, duplicate inserts, serialization failures or lost connections.
        public static let retriesExhausted = Code("retriesExhausted")
        /// A stored row has a value this build cannot read.
        public static let corruptRow = Code("corruptRow")
        /// The store's ``PostgresStore/run()`` failed or has ended, so it serves nothing.
        public static let notRunning = Code("notRunning")

        public var description: String {
            name
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, for logs.
    public var message: String
    /// The SQLSTATE the server reported, such as `40001`, when the server reported the failure.
    public var sqlState: String?

    /// Creates an error of kind `code`.
    public init(_ code: Code, _ message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        if let sqlState { return "\(code.name): \(message) (SQLSTATE \(sqlState))" }
        return "\(code.name): \(message)"
    }
}
