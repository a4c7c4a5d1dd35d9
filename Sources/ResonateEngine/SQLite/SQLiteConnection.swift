// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CSQLite

/// One SQLite connection with a cache of prepared statements.
///
/// Not thread-safe by design: a connection belongs to exactly one ``ThreadExecutor`` and is only touched from
/// code running there. `@unchecked Sendable` lets the owning store hand it to that executor.
package final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]

    /// Process-wide settings, applied once before the first connection opens (SQLite ignores them afterwards).
    private static let configured: Void = {
        _ = resonate_sqlite3_disable_memory_statistics()
    }()

    /// Opens (creating if needed) the database at `path`; `:memory:` gives a private in-memory database.
    package init(path: String, readOnly: Bool = false) throws {
        Self.configured
        var handle: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            if let handle { sqlite3_close_v2(handle) }
            throw SQLiteError(code: status, message: "\(message) (\(path))")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    package func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if status != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: status, message: message, sql: sql)
        }
    }

    /// A prepared statement for `sql`, reset and ready to bind; prepared once per connection.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var pointer: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard status == SQLITE_OK, let pointer else {
            throw SQLiteError(code: status, message: lastErrorMessage, sql: sql)
        }
        let statement = SQLiteStatement(pointer: pointer, connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Resets every cached statement.
    ///
    /// A statement that stopped before `SQLITE_DONE` (a lookup that read one row) keeps its read snapshot open,
    /// even past `COMMIT`: a reader would keep seeing old data and the WAL could not be checkpointed past it.
    /// Every batch ends with this before its transaction ends.
    func resetStatements() {
        for statement in statements.values { statement.reset() }
    }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ status: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: status, message: lastErrorMessage, sql: sql)
    }

    /// The value of a single-column, single-row query, or `nil` when it returns no row or NULL.
    func scalarInteger(_ sql: String) throws -> Int64? {
        let statement = try statement(sql)
        // Reset once read, so the statement holds no read cursor (which would block a later DROP, for one).
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.optionalInt64(0)
    }

    func scalarText(_ sql: String) throws -> String? {
        let statement = try statement(sql)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.optionalText(0)
    }
}
