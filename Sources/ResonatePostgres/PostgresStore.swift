// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Logging
import Metrics
import PostgresNIO
public import ResonateEngine
import ResonateProtocol
public import ServiceLifecycle
import Synchronization

/// The PostgreSQL store: several server replicas can share one database.
///
/// Each ``write(_:)`` runs its closure in its own transaction on a pooled connection and returns once the commit
/// is durable (`synchronous_commit = on` is set on every connection, whatever the server's default). Rows read by
/// id are locked until commit, so concurrent transactions, from this process or from other replicas, have the
/// effect of running one after another (``PostgresTransaction`` explains why that holds for the engine's access
/// patterns). After a deadlock, a duplicate key inserted by a concurrent transaction, a serialization failure or
/// a connection lost before `COMMIT`, the store runs the closure again, up to ``Configuration/maximumAttempts``
/// times with a short jittered backoff; engine closures build all their effects inside, so running one again is
/// safe.
///
/// Concurrent writes share transactions (group commit): up to ``Configuration/maximumBatchSize`` closures run one
/// after another in one transaction and commit together, with ``Configuration/concurrentBatches`` such batches at
/// once. A batch saves each of its closures the `BEGIN` and `COMMIT` round trips and a WAL flush; should any of
/// them fail, the batch rolls back and each closure runs again alone.
///
/// The store is a `Service`: ``run()`` applies the schema migrations and then runs the connection pool until
/// graceful shutdown. Operations issued before the migrations are done wait for them.
///
/// ```swift
/// let store = try PostgresStore(configuration: .init(url: "postgres://resonate@db/resonate"), logger: logger)
/// let server = ResonateServer(engine: Engine(store: store), logger: logger)
/// try await server.run(services: [store])   // the store starts first and stops last
/// ```
public final class PostgresStore: Store, Service {
    public let configuration: Configuration
    let client: PostgresClient
    let logger: Logger
    let gate = StartupGate()
    private let retries = Atomic<Int>(0)
    private let retryCounter = Counter(label: "resonate_postgres_transaction_retries_total")
    private let commitDuration = Metrics.Timer(label: "resonate_commit_duration_seconds")
    /// Write transactions waiting for group commit, in ``Configuration/concurrentBatches`` queues that commit side
    /// by side; writes take them in turn.
    let writeQueues: [WriteQueue]
    let nextWriteQueue = Atomic<Int>(0)

    /// Creates a store; nothing connects until ``run()``.
    ///
    /// - Throws: ``PostgresStoreError`` with code ``PostgresStoreError/Code/invalidConfiguration`` when a value
    ///   is out of range.
    public init(configuration: Configuration, logger: Logger = Logger(label: "resonate.postgres")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        writeQueues = (0..<configuration.concurrentBatches).map { _ in WriteQueue() }
        client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
    }

    /// The number of times a transaction was run again (deadlock, concurrent duplicate insert, serialization
    /// failure, lost connection).
    public var retriedTransactions: Int { retries.load(ordering: .relaxed) }

    /// Transactions committed so far that carried more than one write (group commit).
    public var sharedCommits: Int { sharedCommitCount.load(ordering: .relaxed) }
    let sharedCommitCount = Atomic<Int>(0)

    // MARK: Service

    /// Migrates the schema, then serves until graceful shutdown or cancellation.
    ///
    /// - Throws: ``PostgresStoreError`` when the database cannot be reached within
    ///   ``Configuration/startupTimeout``, rejects the credentials, or cannot be migrated.
    public func run() async throws {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await self.client.run() }
                let applied = try await cancelWhenGracefulShutdown { try await self.migrate() }
                self.gate.open()
                self.logger.info(
                    "PostgreSQL store ready",
                    metadata: [
                        "store": "\(self.configuration)",
                        "schemaVersion": "\(PostgresSchema.newestVersion)",
                        "appliedMigrations": "\(applied)",
                    ]
                )
            }
        } catch {
            let failure = error as? PostgresStoreError ?? Self.storeError(error, context: "the store failed")
            gate.close(failure)
            throw failure
        }
        gate.close(PostgresStoreError(.notRunning, "the PostgreSQL store has stopped"))
    }

    /// Migrates on a dedicated connection, retrying until the database accepts connections.
    private func migrate() async throws -> [Int64] {
        let deadline = ContinuousClock.now + configuration.startupTimeout
        var delay = Duration.milliseconds(100)
        while true {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(
                    configuration: try configuration.connectionConfiguration(),
                    id: 0,
                    logger: logger
                )
            } catch {
                let failure = Self.storeError(
                    error, context: "cannot connect to \(configuration)", code: .connectionFailed)
                guard Self.isTransientConnectFailure(error), ContinuousClock.now + delay < deadline else {
                    throw failure
                }
                logger.warning("PostgreSQL is not reachable yet; retrying", metadata: ["error": "\(failure)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
                continue
            }
            do {
                let applied = try await PostgresSchema.migrate(connection, logger: logger)
                try? await connection.close()
                return applied
            } catch {
                try? await connection.close()
                if let error = error as? PostgresStoreError { throw error }
                throw Self.storeError(error, context: "cannot migrate the schema", code: .migrationFailed)
            }
        }
    }

    // MARK: Store

    public func write<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        try await write(promiseIDs: [], body)
    }

    /// A batch of several writes reads and locks the promises all of them name in one statement before it runs
    /// them (see ``PostgresTransaction/prefetch(promiseIDs:)``).
    public func write<Result: Sendable>(
        promiseIDs: [String],
        _ body: @escaping @Sendable (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        guard configuration.maximumBatchSize > 1 else { return try await perform(isWrite: true, body) }
        return try await groupCommit(promiseIDs: promiseIDs, body)
    }

    public func read<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        try await perform(isWrite: false, body)
    }

    /// Runs `body` in a transaction, again after failures that running it again cures (see
    /// ``retryReason(_:)``), at most ``Configuration/maximumAttempts`` times.
    func perform<Result: Sendable>(
        isWrite: Bool,
        _ body: @escaping @Sendable (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        try await gate.wait()
        var attempt = 1
        while true {
            do {
                return try await transaction(isWrite: isWrite, body)
            } catch {
                // Errors of the closure itself (not the database's) are the caller's and pass through unchanged.
                guard error is PSQLError || error is CommitFailure || error is ConnectionClosedBeforeSending else {
                    throw error
                }
                let kind = isWrite ? "write" : "read"
                guard let reason = Self.retryReason(error) else {
                    throw Self.storeError(error, context: "a \(kind) transaction failed")
                }
                guard attempt < configuration.maximumAttempts else {
                    throw PostgresStoreError(
                        .retriesExhausted,
                        "a \(kind) transaction failed \(attempt) times in a row; the last failure: \(Self.describe(error))",
                        sqlState: Self.sqlState(of: error)
                    )
                }
                retries.add(1, ordering: .relaxed)
                retryCounter.increment()
                logger.debug("running a \(kind) transaction again", metadata: ["reason": "\(reason)"])
                try await Task.sleep(for: Self.backoff(attempt: attempt))
                attempt += 1
            }
        }
    }

    /// Whether the schema is migrated and `SELECT 1` answers within two seconds.
    public func isReady() async -> Bool {
        guard gate.isOpen else { return false }
        let answer = await withTimeLimit(.seconds(2)) {
            let rows = try? await self.client.withConnection { connection in
                try await connection.statement("SELECT 1", logger: self.logger)
            }
            return (try? rows?.first?.decode(Int32.self)) == 1
        }
        return answer ?? false
    }

    /// Runs `body` in one transaction on a pooled connection, on that connection's event loop: a transaction is a
    /// chain of round trips, and each answer then resumes it where it was read.
    func transaction<Result: Sendable>(
        isWrite: Bool,
        _ body: @escaping @Sendable (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        let commitDuration = self.commitDuration
        let prepares = configuration.usesPreparedStatements
        return try await client.withConnection { connection in
            try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) {
                let transaction = PostgresTransaction(
                    connection: connection, logger: logger, isWrite: isWrite, prepares: prepares)
                let begin: PostgresQuery =
                    isWrite ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                try await connection.run(begin, logger: logger)
                let result: Result
                do {
                    result = try await body(transaction)
                    if isWrite { try await transaction.flush() }
                    if transaction.hasFailedStatement {
                        throw PostgresStoreError(
                            .queryFailed, "a statement failed inside the transaction, which therefore cannot commit")
                    }
                } catch {
                    await Self.rollback(connection, logger: logger)
                    throw error
                }
                let started = ContinuousClock.now
                do {
                    try await connection.run("COMMIT", logger: logger)
                } catch {
                    throw CommitFailure(underlying: error)
                }
                if isWrite { commitDuration.recordNanoseconds((ContinuousClock.now - started).wholeNanoseconds) }
                return result
            }
        }
    }

    /// Ends a failed transaction; a connection that cannot even roll back is closed rather than reused.
    private static func rollback(_ connection: PostgresConnection, logger: Logger) async {
        // A closed connection's transaction ended with it.
        guard !connection.isClosed else { return }
        do {
            try await connection.run("ROLLBACK", logger: logger)
        } catch {
            logger.warning("closing a connection that could not roll back", metadata: ["error": "\(describe(error))"])
            try? await connection.close()
        }
    }

    // MARK: Errors and retries

    /// Why running a failed transaction again is safe and may succeed, or `nil` when it is not:
    /// - a deadlock (40P01) or serialization failure (40001), before or at `COMMIT`: the server rolled back;
    /// - a duplicate key (23505) inserted by a concurrent transaction: run again, the engine finds the row;
    /// - a lost connection or a server shutting down (57P01–57P03) before `COMMIT` was sent: nothing was
    ///   committed. A connection lost during `COMMIT` is not retried, since the commit may have happened;
    ///   one found closed before `COMMIT` was even sent is, since the transaction ended with it.
    static func retryReason(_ error: any Error) -> String? {
        let atCommit = error is CommitFailure
        let underlying = (error as? CommitFailure)?.underlying ?? error
        if underlying is ConnectionClosedBeforeSending { return "connection closed" }
        guard let error = underlying as? PSQLError else { return nil }
        if let state = error.serverInfo?[.sqlState] {
            switch state {
            case "40001", "40P01": return state
            case "23505", "57P01", "57P02", "57P03": return atCommit ? nil : state
            default: return nil
            }
        }
        let connectionLost: Set<PSQLError.Code> = [
            .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown,
        ]
        return !atCommit && connectionLost.contains(error.code) ? "\(error.code)" : nil
    }

    static func sqlState(of error: any Error) -> String? {
        (((error as? CommitFailure)?.underlying ?? error) as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Connection failures worth waiting out at start-up: nothing listening yet, or a server still starting.
    static func isTransientConnectFailure(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        guard let state = error.serverInfo?[.sqlState] else {
            return error.code == .connectionError || error.code == .serverClosedConnection
        }
        // 57P03: the database system is starting up; 53300: too many connections.
        return state == "57P03" || state == "53300"
    }

    /// Full jitter over an exponential ceiling: 1 ms, 2 ms, 4 ms … up to 64 ms.
    static func backoff(attempt: Int) -> Duration {
        let ceiling = 1 << min(attempt - 1, 6)
        return .microseconds(Int.random(in: 0...(ceiling * 1000)))
    }

    package static func storeError(
        _ error: any Error,
        context: String,
        code: PostgresStoreError.Code = .queryFailed
    ) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        if let failure = error as? CommitFailure {
            return PostgresStoreError(
                code, "\(context) at COMMIT, which may or may not have taken effect: \(describe(failure.underlying))",
                sqlState: sqlState(of: error))
        }
        return PostgresStoreError(code, "\(context): \(describe(error))", sqlState: sqlState(of: error))
    }

    /// What went wrong, without the query's bound values: `PSQLError`'s own description hides everything, and its
    /// debug description includes the binds.
    static func describe(_ error: any Error) -> String {
        let error = (error as? CommitFailure)?.underlying ?? error
        guard let error = error as? PSQLError else { return "\(error)" }
        var parts: [String] = []
        if let message = error.serverInfo?[.message] {
            parts.append(message)
        } else {
            parts.append("\(error.code)")
        }
        if let underlying = error.underlying { parts.append("\(underlying)") }
        return parts.joined(separator: ": ")
    }

}

/// A failure of `COMMIT` itself, whose outcome may be unknown: kept apart from failures before it.
struct CommitFailure: Error {
    let underlying: any Error
}
