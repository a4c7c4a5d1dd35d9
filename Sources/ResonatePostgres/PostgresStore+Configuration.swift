// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation

extension PostgresStore {
    /// Where the database is and how the store uses it.
    ///
    /// ```swift
    /// var configuration = try PostgresStore.Configuration(url: "postgres://resonate:secret@db:5432/resonate")
    /// configuration.maximumConnections = 20
    /// ```
    public struct Configuration: Sendable, Hashable, CustomStringConvertible {
        /// How the connection is encrypted, with libpq's `sslmode` names.
        public enum TLSMode: String, Sendable, Hashable, CaseIterable {
            /// Plain TCP (the default: the database usually sits on a private network).
            case disable
            /// TLS when the server offers it, without verifying its certificate.
            case prefer
            /// TLS or no connection, without verifying the server's certificate.
            case require
            /// TLS with the server's certificate verified against the system trust roots and its host name.
            case verifyFull = "verify-full"
        }

        public var host: String
        public var port: Int
        public var username: String
        /// `nil` when the URL has no password (trust or peer authentication).
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// The most connections the pool opens; each runs one transaction at a time. Default 10.
        public var maximumConnections: Int
        /// How many times a transaction runs before a deadlock, duplicate insert, serialization failure or lost
        /// connection is reported as an error. Default 16.
        public var maximumAttempts: Int
        /// The most concurrent write transactions of this process that share one database transaction (group
        /// commit; see ``PostgresStore``). 1 gives each write its own transaction. Default 64.
        public var maximumBatchSize: Int
        /// How many such batches run at once, each on its own connection. A batch's statements are sequential
        /// round trips, so more batches keep more of the database busy; fewer make larger batches, with fewer
        /// `BEGIN`/`COMMIT` round trips and WAL flushes per write, and fewer wake-ups of this process per round
        /// trip. Default 2: measured on two cores at 16 to 256 concurrent requests, two batches beat four in both
        /// requests/s and CPU per request, on one server and on three replicas.
        public var concurrentBatches: Int
        /// Whether the store's statements run as named prepared statements, parsed and planned once per connection
        /// (``PreparedStatements``). Turn off only behind a connection pooler that cannot keep them, such as
        /// PgBouncer before 1.21 in transaction mode. Default `true`.
        public var usesPreparedStatements: Bool
        /// How long start-up keeps trying to reach the database before ``PostgresStore/run()`` fails. Default 30 s.
        public var startupTimeout: Duration
        /// Sent as `application_name`, so that `pg_stat_activity` shows which connections are the server's.
        public var applicationName: String

        /// A configuration from parts; see ``init(url:)`` for the URL form.
        public init(
            host: String,
            port: Int = 5432,
            username: String,
            password: String? = nil,
            database: String,
            tls: TLSMode = .disable
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
            maximumConnections = 10
            maximumAttempts = 16
            maximumBatchSize = 64
            concurrentBatches = 2
            usesPreparedStatements = true
            startupTimeout = .seconds(30)
            applicationName = "resonate"
        }

        /// Parses `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require|verify-full]`.
        ///
        /// `postgresql://` is accepted too. User, password and database may be percent-encoded; the port defaults
        /// to 5432 and `sslmode` to `disable`.
        ///
        /// - Throws: ``PostgresStoreError`` with code ``PostgresStoreError/Code/invalidURL`` naming the part that
        ///   is wrong. The message never repeats the password.
        public init(url: String) throws(PostgresStoreError) {
            func invalid(_ reason: String) -> PostgresStoreError {
                PostgresStoreError(.invalidURL, "invalid PostgreSQL store URL '\(Self.redacted(url))': \(reason)")
            }
            guard let components = URLComponents(string: url) else {
                throw invalid("not a URL; expected postgres://user[:password]@host[:port]/database")
            }
            guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
                throw invalid("the scheme must be postgres:// or postgresql://")
            }
            guard let host = components.host, !host.isEmpty else { throw invalid("the host is missing") }
            guard let username = components.user, !username.isEmpty else {
                throw invalid("the user is missing (postgres://USER@host/database)")
            }
            var path = components.path
            if path.hasPrefix("/") { path.removeFirst() }
            guard !path.isEmpty else { throw invalid("the database name is missing (postgres://user@host/DATABASE)") }
            guard !path.contains("/") else { throw invalid("the path must be a single database name") }
            let port = components.port ?? 5432
            guard (1...65535).contains(port) else { throw invalid("the port must be 1-65535") }
            var tls = TLSMode.disable
            for item in components.queryItems ?? [] {
                switch item.name {
                case "sslmode":
                    guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                        let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                        throw invalid("sslmode must be one of \(modes)")
                    }
                    tls = mode
                default:
                    throw invalid("unsupported parameter '\(item.name)' (supported: sslmode)")
                }
            }
            if components.fragment != nil { throw invalid("a fragment (#…) is not allowed") }
            self.init(
                host: host,
                port: port,
                username: username,
                password: components.password,
                database: path,
                tls: tls
            )
        }

        /// Checks the values a URL cannot express.
        package func validate() throws(PostgresStoreError) {
            guard maximumConnections >= 1 else {
                throw PostgresStoreError(
                    .invalidConfiguration, "the pool size must be at least 1, got \(maximumConnections)")
            }
            guard maximumBatchSize >= 1 else {
                throw PostgresStoreError(
                    .invalidConfiguration, "the write batch size must be at least 1, got \(maximumBatchSize)")
            }
            guard concurrentBatches >= 1 else {
                throw PostgresStoreError(
                    .invalidConfiguration,
                    "the number of concurrent write batches must be at least 1, got \(concurrentBatches)")
            }
            guard maximumAttempts >= 1 else {
                throw PostgresStoreError(
                    .invalidConfiguration, "the number of attempts must be at least 1, got \(maximumAttempts)")
            }
        }

        /// The URL without the password, for logs.
        public var description: String {
            var text = "postgres://\(username)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
            if tls != .disable { text += "?sslmode=\(tls.rawValue)" }
            return text
        }

        /// `url` with any password replaced by `***`, for logs and error messages about a URL that may not parse.
        public static func redacted(_ url: String) -> String {
            guard let schemeEnd = url.range(of: "://"),
                let at = url[schemeEnd.upperBound...].lastIndex(of: "@"),
                let colon = url[schemeEnd.upperBound..<at].firstIndex(of: ":")
            else { return url }
            return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
        }
    }
}
