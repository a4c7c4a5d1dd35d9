// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CSQLite
import Synchronization

/// The application data of the example: records and their rows, in a SQLite file that the producer fills and the
/// workers empty, batch by batch. Several processes may use the file at once.
///
/// Calls block for a disk write; that is fine for an example, a service would use a connection pool off the
/// cooperative thread pool.
public final class RecordsDatabase: Sendable {
    private let connection: Mutex<Connection>

    /// `@unchecked Sendable`: the connection is opened in serialized (full mutex) mode, and used under the lock.
    private struct Connection: ~Copyable, @unchecked Sendable {
        let pointer: OpaquePointer
        deinit { sqlite3_close_v2(pointer) }
    }

    /// Opens (and creates, if needed) the database at `path`.
    public init(path: String) throws(RecordsDatabaseError) {
        var pointer: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &pointer, flags, nil) == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(pointer)
            throw RecordsDatabaseError(message: "cannot open \(path): \(message)")
        }
        connection = Mutex(Connection(pointer: pointer))
        // Other processes write too: wait for their transactions instead of failing.
        sqlite3_busy_timeout(pointer, 30_000)
        try execute(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, rows INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS record_rows (
                record_id TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (record_id, row)
            ) WITHOUT ROWID;
            """
        )
    }

    /// Creates records with `rows` rows each, in one transaction. A record that exists already is left alone, so
    /// asking again for a record's deletion does not bring its rows back. Returns how many records were new.
    @discardableResult
    public func createRecords(_ records: [(id: String, rows: Int)]) throws(RecordsDatabaseError) -> Int {
        try transaction { connection throws(RecordsDatabaseError) in
            var created = 0
            for record in records {
                try run(connection, "INSERT OR IGNORE INTO records (id, rows) VALUES (?1, ?2)", record.id, record.rows)
                guard sqlite3_changes(connection) == 1, record.rows > 0 else { continue }
                created += 1
                try run(
                    connection,
                    """
                    WITH RECURSIVE numbers (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM numbers WHERE n + 1 < ?2)
                    INSERT INTO record_rows (record_id, row) SELECT ?1, n FROM numbers
                    """,
                    record.id,
                    record.rows
                )
            }
            return created
        }
    }

    /// Deletes the rows of `recordID` numbered below `limit` and commits; returns how many were deleted and
    /// whether any remain.
    ///
    /// Deleting "everything below" rather than "the next n rows" makes a batch idempotent: running batch k again
    /// after a crash (it finished, but its checkpoint was not written) deletes nothing more.
    public func deleteRows(
        of recordID: String, below limit: Int
    ) throws(RecordsDatabaseError) -> (
        deleted: Int, remaining: Bool
    ) {
        try transaction { connection throws(RecordsDatabaseError) in
            try run(connection, "DELETE FROM record_rows WHERE record_id = ?1 AND row < ?2", recordID, limit)
            let deleted = Int(sqlite3_changes(connection))
            let remaining = try run(connection, "SELECT count(*) FROM record_rows WHERE record_id = ?1", recordID)
            return (deleted, remaining > 0)
        }
    }

    /// How many rows `recordID` still has.
    public func remainingRows(of recordID: String) throws(RecordsDatabaseError) -> Int {
        try transaction { connection throws(RecordsDatabaseError) in
            try run(connection, "SELECT count(*) FROM record_rows WHERE record_id = ?1", recordID)
        }
    }

    // MARK: SQLite

    private func execute(_ sql: String) throws(RecordsDatabaseError) {
        try connection.withLock { connection throws(RecordsDatabaseError) in
            var message: UnsafeMutablePointer<CChar>?
            guard sqlite3_exec(connection.pointer, sql, nil, nil, &message) == SQLITE_OK else {
                defer { sqlite3_free(message) }
                throw RecordsDatabaseError(message: message.map { String(cString: $0) } ?? "unknown error")
            }
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`: the write lock is taken up front, so two processes
    /// never deadlock upgrading a read lock); commits when it returns, rolls back when it throws.
    private func transaction<T>(
        _ body: (OpaquePointer) throws(RecordsDatabaseError) -> T
    ) throws(RecordsDatabaseError) -> T {
        try connection.withLock { connection throws(RecordsDatabaseError) -> T in
            let pointer = connection.pointer
            try run(pointer, "BEGIN IMMEDIATE")
            do throws(RecordsDatabaseError) {
                let result = try body(pointer)
                try run(pointer, "COMMIT")
                return result
            } catch {
                _ = try? run(pointer, "ROLLBACK")
                throw error
            }
        }
    }

    /// Runs one statement with text and integer parameters; returns the first column of its first row, or 0.
    @discardableResult
    private func run(
        _ connection: OpaquePointer, _ sql: String, _ parameters: any Sendable...
    ) throws(RecordsDatabaseError) -> Int {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK else {
            throw RecordsDatabaseError(message: String(cString: sqlite3_errmsg(connection)))
        }
        defer { sqlite3_finalize(statement) }
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case let text as String:
                _ = resonate_sqlite3_bind_text_transient(statement, Int32(index + 1), text, -1)
            case let number as Int:
                sqlite3_bind_int64(statement, Int32(index + 1), Int64(number))
            default:
                preconditionFailure("unsupported parameter type \(type(of: parameter))")
            }
        }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return Int(sqlite3_column_int64(statement, 0))
        case SQLITE_DONE: return 0
        default: throw RecordsDatabaseError(message: String(cString: sqlite3_errmsg(connection)))
        }
    }
}

/// A records database operation failed.
public struct RecordsDatabaseError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "records database: \(message)" }
}
