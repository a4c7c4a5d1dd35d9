// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CSQLite

/// A prepared statement. Bind parameters by 1-based position, then ``step()`` through the rows.
final class SQLiteStatement {
    private let pointer: OpaquePointer
    private unowned let connection: SQLiteConnection
    let sql: String

    init(pointer: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.pointer = pointer
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(pointer)
    }

    func reset() {
        sqlite3_reset(pointer)
    }

    @discardableResult
    func bind(_ values: (any SQLiteBindable)?...) throws -> SQLiteStatement {
        try bind(values)
    }

    /// Binds every parameter by position, replacing earlier bindings.
    @discardableResult
    func bind(_ values: [(any SQLiteBindable)?]) throws -> SQLiteStatement {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case nil:
                status = sqlite3_bind_null(pointer, index)
            case let integer as Int64:
                status = sqlite3_bind_int64(pointer, index, integer)
            case let integer as Int:
                status = sqlite3_bind_int64(pointer, index, Int64(integer))
            case let flag as Bool:
                status = sqlite3_bind_int64(pointer, index, flag ? 1 : 0)
            case let text as String:
                var text = text
                status = text.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { chars in
                        resonate_sqlite3_bind_text_transient(pointer, index, chars.baseAddress, Int32(chars.count))
                    }
                }
            default:
                preconditionFailure("unsupported SQLite binding \(type(of: value))")
            }
            guard status == SQLITE_OK else { throw connection.error(status, sql: sql) }
        }
        return self
    }

    /// Advances to the next row; `false` when the statement is done.
    func step() throws -> Bool {
        switch sqlite3_step(pointer) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let status: throw connection.error(status, sql: sql)
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        while try step() {}
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(pointer, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        sqlite3_column_type(pointer, column) == SQLITE_NULL ? nil : sqlite3_column_int64(pointer, column)
    }

    func text(_ column: Int32) -> String {
        optionalText(column) ?? ""
    }

    func optionalText(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(pointer, column) else { return nil }
        let count = Int(sqlite3_column_bytes(pointer, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// A value that can be bound to a statement parameter.
protocol SQLiteBindable {}
extension Int64: SQLiteBindable {}
extension Int: SQLiteBindable {}
extension Bool: SQLiteBindable {}
extension String: SQLiteBindable {}
