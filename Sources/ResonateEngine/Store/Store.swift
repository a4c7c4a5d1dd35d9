// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Durable storage for promises, tasks, callbacks, listeners, schedules and the outbox.
///
/// The engine expresses every request as one closure over a ``StoreTransaction``. A store decides how those
/// closures share transactions:
/// - ``SQLiteStore`` has one writer: it runs the closures that arrive together in one transaction (each inside
///   its own savepoint, so a failing request rolls back alone) and makes them durable with a single `fsync`.
/// - A PostgreSQL store runs each closure in its own transaction on a pooled connection, locking the rows it
///   reads with `SELECT … FOR UPDATE` and claiming timer rows with `SKIP LOCKED`, so several server replicas can
///   share one database.
///
/// Either way, ``write(_:)`` returns only after the changes are durable: a caller may acknowledge them.
public protocol Store: Sendable {
    associatedtype Transaction: StoreTransaction

    /// Runs `body` in a write transaction and returns its result once the transaction is durably committed.
    ///
    /// If `body` throws, none of its changes are kept and the error is rethrown. If the commit fails, the error
    /// is thrown even though `body` succeeded.
    func write<Result: Sendable>(
        _ body: @escaping @Sendable (Transaction) async throws -> Result
    ) async throws -> Result

    /// ``write(_:)`` for a `body` expected to read the promises `promiseIDs`, which a store may read (and lock)
    /// up front together with those of the writes it commits alongside. The default ignores the hint.
    func write<Result: Sendable>(
        promiseIDs: [String],
        _ body: @escaping @Sendable (Transaction) async throws -> Result
    ) async throws -> Result

    /// Runs `body` against a consistent view of committed data. `body` must not write.
    func read<Result: Sendable>(
        _ body: @escaping @Sendable (Transaction) async throws -> Result
    ) async throws -> Result

    /// Whether the storage answers a trivial query (used by `GET /ready`).
    func isReady() async -> Bool
}

extension Store {
    public func write<Result: Sendable>(
        promiseIDs: [String],
        _ body: @escaping @Sendable (Transaction) async throws -> Result
    ) async throws -> Result {
        try await write(body)
    }
}
