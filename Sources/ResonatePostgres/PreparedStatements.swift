// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

package import Logging
import NIOCore
package import PostgresNIO
import Synchronization

/// Runs the store's statements as named prepared statements, so that PostgreSQL parses and plans each one once per
/// connection instead of on every execution, and the driver sends neither the text nor a `Describe` again.
///
/// PostgresNIO prepares a ``PostgresPreparedStatement`` by its type: the name and SQL are static properties. The
/// store's statements are `PostgresQuery` values built at their call sites, each call site (and lock variant) with
/// constant text. So this registry numbers every distinct text it is given, up to ``capacity``, and each number
/// has a type of its own (``Slot``), whose static properties answer that text. Texts past the capacity run
/// unprepared; none do today (the store has fewer than 60 distinct statements).
///
/// Parameter types are those of the first execution on a connection, as PostgresNIO infers them from the bound
/// values; a `NULL` there has no type and PostgreSQL infers it from the context. The statements are written so
/// that the two agree: a nullable value cast to `jsonb` goes through `::text` first, since a parameter inferred as
/// `jsonb` would later receive text.
package enum PreparedStatements {
    /// How many distinct statement texts are prepared (ten times ten ``Slot`` types).
    static let capacity = 100

    private static let registry = Mutex<Registry>(Registry())

    private struct Registry {
        var numbers: [String: Int] = [:]
        var texts: [String] = []
    }

    /// The number of `sql`, assigning the next free one to a new text; `nil` when all are taken.
    static func number(of sql: String) -> Int? {
        registry.withLock { registry in
            if let number = registry.numbers[sql] { return number }
            guard registry.texts.count < capacity else { return nil }
            registry.texts.append(sql)
            registry.numbers[sql] = registry.texts.count - 1
            return registry.texts.count - 1
        }
    }

    static func text(number: Int) -> String { registry.withLock { $0.texts[number] } }

    /// How many texts have a number (for tests).
    static var count: Int { registry.withLock { $0.texts.count } }

    /// The slot types, indexed by number.
    private static let slots: [any SlotProtocol.Type] = {
        let digits: [any Digit.Type] = [
            D0.self, D1.self, D2.self, D3.self, D4.self, D5.self, D6.self, D7.self, D8.self, D9.self,
        ]
        func slot<Tens: Digit, Ones: Digit>(_: Tens.Type, _: Ones.Type) -> any SlotProtocol.Type {
            Slot<Tens, Ones>.self
        }
        return digits.flatMap { tens in digits.map { ones in slot(tens, ones) } }
    }()

    /// Runs `query` as a prepared statement on `connection` and returns all of its rows, or `nil` when its text
    /// has no number left or the caller is not on the connection's event loop, so the caller runs it unprepared.
    ///
    /// On the connection's event loop, the check that the connection is still open and the write of the statement
    /// happen without a suspension between them (see ``PostgresConnection/statement(_:logger:)`` for why a
    /// statement written to a closed connection must never be awaited).
    static func rows(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger
    ) async throws -> [PostgresRow]? {
        guard connection.eventLoop.inEventLoop, let number = number(of: query.sql) else { return nil }
        guard !connection.isClosed else { throw ConnectionClosedBeforeSending() }
        return try await slots[number].rows(query.binds, on: connection, logger: logger)
    }
}

/// One decimal digit as a type, to spell the ``PreparedStatements`` slot types as pairs of digits.
protocol Digit { static var value: Int { get } }
enum D0: Digit { static var value: Int { 0 } }
enum D1: Digit { static var value: Int { 1 } }
enum D2: Digit { static var value: Int { 2 } }
enum D3: Digit { static var value: Int { 3 } }
enum D4: Digit { static var value: Int { 4 } }
enum D5: Digit { static var value: Int { 5 } }
enum D6: Digit { static var value: Int { 6 } }
enum D7: Digit { static var value: Int { 7 } }
enum D8: Digit { static var value: Int { 8 } }
enum D9: Digit { static var value: Int { 9 } }

protocol SlotProtocol {
    static func rows(
        _ binds: PostgresBindings, on connection: PostgresConnection, logger: Logger
    ) async throws
        -> [PostgresRow]
}

/// The prepared statement numbered `Tens.value * 10 + Ones.value` in ``PreparedStatements``.
struct Slot<Tens: Digit, Ones: Digit>: PostgresPreparedStatement, SlotProtocol {
    typealias Row = PostgresRow

    static var number: Int { Tens.value * 10 + Ones.value }
    static var name: String { "resonate_\(number)" }
    static var sql: String { PreparedStatements.text(number: number) }

    let binds: PostgresBindings

    func makeBindings() -> PostgresBindings { binds }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }

    static func rows(
        _ binds: PostgresBindings, on connection: PostgresConnection, logger: Logger
    ) async throws
        -> [PostgresRow]
    {
        var rows: [PostgresRow] = []
        for try await row in try await connection.execute(Slot(binds: binds), logger: logger) {
            rows.append(row)
        }
        return rows
    }
}
