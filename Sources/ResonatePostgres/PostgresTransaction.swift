// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import PostgresNIO
public import ResonateEngine
import ResonateProtocol
import Synchronization

/// ``StoreTransaction`` over a pooled PostgreSQL connection inside an open transaction.
///
/// Write transactions run at `READ COMMITTED` with explicit row locks, like the reference server:
/// - every row a write transaction reads by id (``promise(id:)``, ``task(id:)``, ``schedule(id:)``) is locked
///   with `FOR UPDATE` until commit, and `READ COMMITTED` gives each later statement a snapshot taken after the
///   lock was granted, so what the engine decides from that row and from the rows it reads afterwards is current;
/// - the few range reads are covered by those locks: callbacks on a promise and its listeners are only written
///   by transactions holding that promise's row (or, for deletions, its awaiter's task row, which the settling
///   transaction locks before it resumes the awaiter); preload reads are single statements that serialize before
///   or after any concurrent creation;
/// - two transactions creating the same id both find no row (an absent row cannot be locked); the second one's
///   insert waits for the first and fails with a duplicate key, and the store runs it again;
/// - timer claims (``expiredPromises(at:limit:)``, ``expiredTasks(at:limit:)``, ``dueSchedules(at:limit:)``) use
///   `FOR UPDATE SKIP LOCKED`, so the timer passes of two replicas take disjoint rows instead of waiting for each
///   other or processing a row twice.
///
/// `SERIALIZABLE` would not need this reasoning, but its predicate locks on B-tree pages make unrelated
/// transactions on neighbouring ids abort each other: measured here, a create+settle load at 16 concurrent
/// requests exhausted 16 attempts. `REPEATABLE READ` with row locks is not enough either: locking a row that a
/// concurrent transaction only locked (without updating it) does not refresh the snapshot, so a settlement could
/// miss a callback registered just before it.
///
/// Read transactions run at `REPEATABLE READ READ ONLY`: one snapshot for every query of the closure.
///
/// Every value reaches the server as a bound parameter; the SQL text is constant.
public final class PostgresTransaction: StoreTransaction, Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// Whether the transaction may write; read-only transactions cannot lock rows.
    let isWrite: Bool
    /// Set when a statement failed: PostgreSQL has then aborted the transaction, and a `COMMIT` would quietly
    /// roll back, so the store must not report success even if the closure swallowed the error.
    private let failedStatement = Atomic<Bool>(false)
    /// Promises read by id so far, and ids read and found absent. Reading one again would return the same
    /// answer, as long as this transaction has not written it: a write transaction holds a present row's lock
    /// until it ends, and a read-only one reads a single snapshot. An absent row cannot be locked, so another
    /// transaction may insert it meanwhile; answering "absent" again is then as if this transaction had run
    /// first, and should it insert the row itself, the duplicate key makes the store run it again. The engine
    /// reads a request's promise more than once (lazy timeout, then the operation), and each read saved is a
    /// round trip.
    private let readPromises = Mutex<[String: KnownRow<PromiseRecord>]>([:])
    /// Task rows read by id (and so locked, in a write transaction) or found absent, kept up to date through this
    /// transaction's own writes to them: nobody else can change a row this transaction has locked or inserted, so
    /// what it wrote is what a read would return. The engine reads a request's task up to three times (the
    /// request's checks, the transition, the resumption of awaiters), each a round trip.
    private let knownTasks = Mutex<[String: KnownRow<TaskRow>]>([:])

    /// Promise inserts and settlements held back until the next statement or the commit (see ``flush()``).
    let deferredWrites = Mutex(DeferredWrites())
    /// What a settlement would release now, for promises whose row and waiters ``prefetch(promiseIDs:)`` read;
    /// dropped before any other statement, since this transaction may then change callbacks or listeners.
    let knownWaiters = Mutex<[String: SettlementWaiters]>([:])

    /// What this transaction knows of a row it read by id.
    enum KnownRow<Row: Sendable>: Sendable {
        case present(Row)
        case absent
    }

    /// Whether statements run as prepared statements (``PreparedStatements``).
    let prepares: Bool

    init(connection: PostgresConnection, logger: Logger, isWrite: Bool, prepares: Bool) {
        self.connection = connection
        self.logger = logger
        self.isWrite = isWrite
        self.prepares = prepares
    }

    var hasFailedStatement: Bool { failedStatement.load(ordering: .relaxed) }

    /// Statements sent so far, each one round trip (for tests).
    var statementCount: Int { statements.load(ordering: .relaxed) }
    private let statements = Atomic<Int>(0)

    /// Runs one statement and returns all of its rows, after the deferred writes, which it may read.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await flush()
        knownWaiters.withLock { $0.removeAll() }
        return try await execute(query)
    }

    /// Runs one statement as it is.
    func execute(_ query: PostgresQuery) async throws -> [PostgresRow] {
        statements.add(1, ordering: .relaxed)
        do {
            // Not once a statement failed: the transaction is aborted, and PostgresNIO remembers a failed
            // preparation for the connection's lifetime, so preparing a new text now would break it for good.
            if prepares, !hasFailedStatement,
                let rows = try await PreparedStatements.rows(query, on: connection, logger: logger)
            {
                return rows
            }
            return try await connection.statement(query, logger: logger)
        } catch {
            failedStatement.store(true, ordering: .relaxed)
            throw error
        }
    }

    /// A row by id: what this transaction already knows of it (`known`), or else `read` from the database, which
    /// `remember` then records.
    func row<Row: Sendable>(
        known: KnownRow<Row>?, remember: (Row?) -> Void, read: () async throws -> Row?
    ) async throws -> Row? {
        switch known {
        case .present(let row): return row
        case .absent: return nil
        case nil: break
        }
        let row = try await read()
        remember(row)
        return row
    }

    func rememberedPromise(id: String) -> KnownRow<PromiseRecord>? { readPromises.withLock { $0[id] } }

    func remember(_ promise: PromiseRecord?, id: String) {
        readPromises.withLock { $0[id] = promise.map(KnownRow.present) ?? .absent }
    }

    func knownTask(id: String) -> KnownRow<TaskRow>? { knownTasks.withLock { $0[id] } }

    /// Records `task` as the current content of its row, after reading it by id or after this transaction wrote it.
    func remember(_ task: TaskRow?, id: String) {
        knownTasks.withLock { $0[id] = task.map(KnownRow.present) ?? .absent }
    }

    /// After an update: the written row is current only if this transaction holds its lock from a read by id, an
    /// insert or a claim; any other row is not remembered, since nothing here proves the update matched it.
    func rememberUpdated(_ task: TaskRow) {
        knownTasks.withLock { tasks in
            if case .present = tasks[task.id] { tasks[task.id] = .present(task) }
        }
    }

    /// Remembers rows a claim read (locked, in a write transaction) and returns them.
    func rememberAll(_ tasks: [TaskRow]) -> [TaskRow] {
        knownTasks.withLock { known in
            for task in tasks { known[task.id] = .present(task) }
        }
        return tasks
    }

    func forgetTasks() { knownTasks.withLock { $0.removeAll() } }

    /// Forgets one promise (`id`) or all of them (`nil`), before writing them.
    func forgetPromises(id: String?) {
        readPromises.withLock { promises in
            if let id { promises.removeValue(forKey: id) } else { promises.removeAll() }
        }
    }

    /// The locking clause of reads by id: none in read-only transactions, where locking is not allowed.
    var lockClause: String { isWrite ? " FOR UPDATE" : "" }

    /// The locking clause of timer claims.
    var claimClause: String { isWrite ? " FOR UPDATE SKIP LOCKED" : "" }

    // MARK: Rows

    static let promiseColumns = """
        id, state, param_headers::text, param_data, value_headers::text, value_data, tags::text, timeout_at, \
        created_at, settled_at
        """

    static func promise(_ row: PostgresRow) throws -> PromiseRecord {
        let (id, state, paramHeaders, paramData, valueHeaders, valueData, tags, timeoutAt, createdAt, settledAt) =
            try row.decode((String, String, String?, String?, String?, String?, String, Int64, Int64, Int64?).self)
        return try promise(
            id: id, state: state, paramHeaders: paramHeaders, paramData: paramData, valueHeaders: valueHeaders,
            valueData: valueData, tags: tags, timeoutAt: timeoutAt, createdAt: createdAt, settledAt: settledAt)
    }

    /// A promise from the text of its ``promiseColumns``.
    static func promise(
        id: String, state: String, paramHeaders: String?, paramData: String?, valueHeaders: String?,
        valueData: String?, tags: String, timeoutAt: Int64, createdAt: Int64, settledAt: Int64?
    ) throws -> PromiseRecord {
        guard let promiseState = PromiseState(rawValue: state) else {
            throw PostgresStoreError(.corruptRow, "promise \(id) has the unknown state '\(state)'")
        }
        return PromiseRecord(
            id: id,
            state: promiseState,
            param: Value(
                headers: try paramHeaders.map { try JSONMapColumn.decode($0, column: "promises.param_headers") },
                data: paramData
            ),
            value: Value(
                headers: try valueHeaders.map { try JSONMapColumn.decode($0, column: "promises.value_headers") },
                data: valueData
            ),
            tags: try JSONMapColumn.decode(tags, column: "promises.tags"),
            timeoutAt: timeoutAt,
            createdAt: createdAt,
            settledAt: settledAt
        )
    }

    static let taskColumns = "id, state, version, pid, ttl, timeout_kind, timeout_at, wants_cleanup"

    static func task(_ row: PostgresRow) throws -> TaskRow {
        let (id, state, version, pid, ttl, timeoutKind, timeoutAt, wantsCleanup) =
            try row.decode((String, String, Int64, String?, Int64?, Int16?, Int64?, Bool).self)
        guard let taskState = TaskState(rawValue: state) else {
            throw PostgresStoreError(.corruptRow, "task \(id) has the unknown state '\(state)'")
        }
        var timeout: TaskTimeout?
        if let timeoutKind, let timeoutAt {
            guard let kind = TaskTimeout.Kind(rawValue: Int(timeoutKind)) else {
                throw PostgresStoreError(.corruptRow, "task \(id) has the unknown timeout kind \(timeoutKind)")
            }
            timeout = TaskTimeout(kind: kind, at: timeoutAt)
        }
        return TaskRow(
            id: id, state: taskState, version: version, pid: pid, ttl: ttl, timeout: timeout,
            wantsCleanup: wantsCleanup)
    }

    static let scheduleColumns = """
        id, cron, promise_id, promise_timeout, param_headers::text, param_data, promise_tags::text, created_at, \
        next_run_at, last_run_at
        """

    static func schedule(_ row: PostgresRow) throws -> ScheduleRecord {
        let (id, cron, promiseID, promiseTimeout, paramHeaders, paramData, tags, createdAt, nextRunAt, lastRunAt) =
            try row.decode((String, String, String, Int64, String?, String?, String, Int64, Int64, Int64?).self)
        return ScheduleRecord(
            id: id,
            cron: cron,
            promiseId: promiseID,
            promiseTimeout: promiseTimeout,
            promiseParam: Value(
                headers: try paramHeaders.map { try JSONMapColumn.decode($0, column: "schedules.param_headers") },
                data: paramData
            ),
            promiseTags: try JSONMapColumn.decode(tags, column: "schedules.promise_tags"),
            createdAt: createdAt,
            nextRunAt: nextRunAt,
            lastRunAt: lastRunAt
        )
    }

    static func outboxEntry(_ row: PostgresRow) throws -> OutboxEntry {
        let (sequence, kind, key, version, address) = try row.decode((Int64, Int16, String, Int64, String).self)
        let content: OutboxEntry.Content =
            kind == 0 ? .execute(taskID: key, version: version) : .unblock(promiseID: key)
        return OutboxEntry(sequence: sequence, content: content, address: address)
    }
}
