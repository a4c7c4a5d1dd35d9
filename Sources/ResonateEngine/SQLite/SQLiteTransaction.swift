// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// ``StoreTransaction`` over a SQLite connection inside an open transaction.
///
/// Used only on the executor that owns the connection, for the duration of one store job.
/// `@unchecked Sendable` lets the store pass it to that job; it is never shared beyond it.
public final class SQLiteTransaction: StoreTransaction, @unchecked Sendable {
    let connection: SQLiteConnection
    let sequence: OutboxSequence
    /// The writer's mirror of recently read branches, which every promise write here keeps in step; see
    /// ``promises(inBranch:excluding:)``. `nil` on the reader.
    let branchIndex: BranchIndex?

    init(connection: SQLiteConnection, sequence: OutboxSequence, branchIndex: BranchIndex? = nil) {
        self.connection = connection
        self.sequence = sequence
        self.branchIndex = branchIndex
    }

    static let promiseColumns =
        "id, state, param_headers, param_data, value_headers, value_data, tags, timeout_at, created_at, settled_at"

    func readPromise(_ row: SQLiteStatement, offset: Int32 = 0) throws -> PromiseRecord {
        PromiseRecord(
            id: row.text(offset),
            state: try StoredState.promiseState(row.int64(offset + 1)),
            param: Value(
                headers: try row.optionalText(offset + 2).map(StringMapCoding.decode),
                data: row.optionalText(offset + 3)
            ),
            value: Value(
                headers: try row.optionalText(offset + 4).map(StringMapCoding.decode),
                data: row.optionalText(offset + 5)
            ),
            tags: try StringMapCoding.decode(row.text(offset + 6)),
            timeoutAt: row.int64(offset + 7),
            createdAt: row.int64(offset + 8),
            settledAt: row.optionalInt64(offset + 9)
        )
    }

    func readPromises(_ statement: SQLiteStatement) throws -> [PromiseRecord] {
        var promises: [PromiseRecord] = []
        while try statement.step() { promises.append(try readPromise(statement)) }
        return promises
    }

    // MARK: Promises

    public func promise(id: String) async throws -> PromiseRecord? {
        let statement = try connection.statement("SELECT \(Self.promiseColumns) FROM promises WHERE id = ?")
        try statement.bind(id)
        return try statement.step() ? readPromise(statement) : nil
    }

    public func insertPromise(_ promise: PromiseRecord) async throws {
        try connection.statement(
            """
            INSERT INTO promises (id, state, param_headers, param_data, value_headers, value_data, tags, target, branch,
                                  timeout_at, created_at, settled_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).bind(
            promise.id,
            StoredState.code(promise.state),
            promise.param.headers.map(StringMapCoding.encode),
            promise.param.data,
            promise.value.headers.map(StringMapCoding.encode),
            promise.value.data,
            StringMapCoding.encode(promise.tags),
            promise.tags[Tag.target],
            promise.tags[Tag.branch],
            promise.timeoutAt,
            promise.createdAt,
            promise.settledAt
        ).run()
        if !promise.tags.isEmpty {
            let insertTag = try connection.statement(
                "INSERT INTO promise_tags (key, value, promise_id) VALUES (?, ?, ?)"
            )
            for (key, value) in promise.tags {
                insertTag.reset()
                try insertTag.bind(key, value, promise.id).run()
            }
        }
        branchIndex?.inserted(promise)
    }

    @discardableResult
    public func settlePromise(
        id: String, state: PromiseState, value: Value, settledAt: Int64
    ) async throws
        -> SettlementWaiters
    {
        try connection.statement(
            "UPDATE promises SET state = ?, value_headers = ?, value_data = ?, settled_at = ? WHERE id = ?"
        ).bind(
            StoredState.code(state),
            value.headers.map(StringMapCoding.encode),
            value.data,
            settledAt,
            id
        ).run()
        branchIndex?.settled(id: id, state: state, value: value, settledAt: settledAt)
        let awaiters = try callbackAwaiters(awaited: id)
        if !awaiters.isEmpty {
            try connection.statement("UPDATE callbacks SET ready = 1 WHERE awaited = ? AND ready = 0").bind(id).run()
        }
        return SettlementWaiters(awaiters: awaiters, listeners: try takeListeners(promiseID: id))
    }

    /// On the writer, a long branch read once stays in the ``BranchIndex``, which this transaction's writes keep
    /// current: a long execution's fences then share its member list instead of reading every member again.
    /// Branches shorter than ``BranchIndex/minimumMembers`` are read each time, which costs little, so that the
    /// index holds only branches worth holding (a worker's many short executions would fill it otherwise).
    public func promises(inBranch branch: String, excluding: String) async throws -> [PromiseRecord] {
        if let members = branchIndex?.members(of: branch, excluding: excluding) { return members }
        let statement = try connection.statement(
            "SELECT \(Self.promiseColumns) FROM promises WHERE branch = ? ORDER BY id"
        )
        try statement.bind(branch)
        let members = try readPromises(statement)
        if let branchIndex, members.count >= BranchIndex.minimumMembers {
            branchIndex.load(branch, members: members)
            return branchIndex.members(of: branch, excluding: excluding) ?? []
        }
        return members.filter { !BranchIndex.Key.same($0.id, excluding) }
    }

    public func searchPromises(
        state: PromiseState?,
        tags: [String: String],
        after cursor: String?,
        limit: Int
    ) async throws -> [PromiseRecord] {
        var bindings: [(any SQLiteBindable)?] = []
        var sql: String
        let sortedTags = tags.sorted { $0.key < $1.key }
        if let first = sortedTags.first {
            // Drive the search from the tag index, then check the remaining tags per candidate.
            sql =
                "SELECT \(Self.promiseColumns.split(separator: ", ").map { "p.\($0)" }.joined(separator: ", ")) "
                + "FROM promise_tags t JOIN promises p ON p.id = t.promise_id "
                + "WHERE t.key = ? AND t.value = ? AND t.promise_id > ?"
            bindings += [first.key, first.value, cursor ?? ""]
            for (key, value) in sortedTags.dropFirst() {
                sql +=
                    " AND EXISTS (SELECT 1 FROM promise_tags o WHERE o.key = ? AND o.value = ? AND o.promise_id = p.id)"
                bindings += [key, value]
            }
            if let state {
                sql += " AND p.state = ?"
                bindings.append(StoredState.code(state))
            }
            sql += " ORDER BY t.promise_id LIMIT ?"
        } else if let state {
            sql = "SELECT \(Self.promiseColumns) FROM promises WHERE state = ? AND id > ? ORDER BY id LIMIT ?"
            bindings += [StoredState.code(state), cursor ?? ""]
        } else {
            sql = "SELECT \(Self.promiseColumns) FROM promises WHERE id > ? ORDER BY id LIMIT ?"
            bindings.append(cursor ?? "")
        }
        bindings.append(limit)
        let statement = try connection.statement(sql)
        try statement.bind(bindings)
        return try readPromises(statement)
    }

    public func expiredPromises(at time: Int64, limit: Int) async throws -> [PromiseRecord] {
        let statement = try connection.statement(
            """
            SELECT \(Self.promiseColumns) FROM promises
            WHERE state = 0 AND timeout_at <= ? ORDER BY timeout_at, id LIMIT ?
            """
        )
        try statement.bind(time, limit)
        return try readPromises(statement)
    }

    // MARK: Tasks

    static let taskColumns = "id, state, version, pid, ttl, timeout_kind, timeout_at, wants_cleanup"

    func readTask(_ row: SQLiteStatement) throws -> TaskRow {
        var timeout: TaskTimeout?
        if let kind = row.optionalInt64(5), let at = row.optionalInt64(6) {
            timeout = TaskTimeout(kind: kind == 1 ? .lease : .retry, at: at)
        }
        return TaskRow(
            id: row.text(0),
            state: try StoredState.taskState(row.int64(1)),
            version: row.int64(2),
            pid: row.optionalText(3),
            ttl: row.optionalInt64(4),
            timeout: timeout,
            wantsCleanup: row.int64(7) != 0
        )
    }

    func readTasks(_ statement: SQLiteStatement) throws -> [TaskRow] {
        var tasks: [TaskRow] = []
        while try statement.step() { tasks.append(try readTask(statement)) }
        return tasks
    }

    public func task(id: String) async throws -> TaskRow? {
        let statement = try connection.statement("SELECT \(Self.taskColumns) FROM tasks WHERE id = ?")
        try statement.bind(id)
        return try statement.step() ? readTask(statement) : nil
    }

    public func insertTask(_ task: TaskRow) async throws {
        try connection.statement(
            """
            INSERT INTO tasks (id, state, version, pid, ttl, timeout_kind, timeout_at, wants_cleanup)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).bind(
            task.id,
            StoredState.code(task.state),
            task.version,
            task.pid,
            task.ttl,
            task.timeout.map { Int64($0.kind.rawValue) },
            task.timeout?.at,
            Int64(task.wantsCleanup ? 1 : 0)
        ).run()
    }

    public func updateTask(_ task: TaskRow) async throws {
        try connection.statement(
            """
            UPDATE tasks SET state = ?, version = ?, pid = ?, ttl = ?, timeout_kind = ?, timeout_at = ?, wants_cleanup = ?
            WHERE id = ?
            """
        ).bind(
            StoredState.code(task.state),
            task.version,
            task.pid,
            task.ttl,
            task.timeout.map { Int64($0.kind.rawValue) },
            task.timeout?.at,
            Int64(task.wantsCleanup ? 1 : 0),
            task.id
        ).run()
    }

    public func expiredTasks(at time: Int64, limit: Int) async throws -> [TaskRow] {
        let statement = try connection.statement(
            """
            SELECT \(Self.taskColumns) FROM tasks
            WHERE timeout_at IS NOT NULL AND timeout_at <= ? ORDER BY timeout_at, id LIMIT ?
            """
        )
        try statement.bind(time, limit)
        return try readTasks(statement)
    }

    public func searchTasks(state: TaskState?, after cursor: String?, limit: Int) async throws -> [TaskRow] {
        let statement: SQLiteStatement
        if let state {
            statement = try connection.statement(
                "SELECT \(Self.taskColumns) FROM tasks WHERE state = ? AND id > ? ORDER BY id LIMIT ?"
            )
            try statement.bind(StoredState.code(state), cursor ?? "", limit)
        } else {
            statement = try connection.statement(
                "SELECT \(Self.taskColumns) FROM tasks WHERE id > ? ORDER BY id LIMIT ?"
            )
            try statement.bind(cursor ?? "", limit)
        }
        return try readTasks(statement)
    }

    // MARK: Callbacks

    public func insertCallback(awaited: String, awaiter: String, ready: Bool) async throws {
        try connection.statement(
            "INSERT INTO callbacks (awaited, awaiter, ready) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        ).bind(awaited, awaiter, ready).run()
    }

    private func callbackAwaiters(awaited: String) throws -> [String] {
        let statement = try connection.statement("SELECT awaiter FROM callbacks WHERE awaited = ? ORDER BY awaiter")
        try statement.bind(awaited)
        var awaiters: [String] = []
        while try statement.step() { awaiters.append(statement.text(0)) }
        return awaiters
    }

    public func deleteCallbacks(awaiter: String) async throws {
        try connection.statement("DELETE FROM callbacks WHERE awaiter = ?").bind(awaiter).run()
    }

    public func deleteReadyCallbacks(awaiter: String) async throws {
        try connection.statement("DELETE FROM callbacks WHERE awaiter = ? AND ready = 1").bind(awaiter).run()
    }

    public func readyCallbackCount(awaiter: String) async throws -> Int64 {
        let statement = try connection.statement("SELECT count(*) FROM callbacks WHERE awaiter = ? AND ready = 1")
        try statement.bind(awaiter)
        return try statement.step() ? statement.int64(0) : 0
    }

    // MARK: Listeners

    public func insertListener(promiseID: String, address: String) async throws {
        try connection.statement(
            "INSERT INTO listeners (promise_id, address) VALUES (?, ?) ON CONFLICT DO NOTHING"
        ).bind(promiseID, address).run()
    }

    private func takeListeners(promiseID: String) throws -> [String] {
        let statement = try connection.statement(
            "SELECT address FROM listeners WHERE promise_id = ? ORDER BY address"
        )
        try statement.bind(promiseID)
        var addresses: [String] = []
        while try statement.step() { addresses.append(statement.text(0)) }
        if !addresses.isEmpty {
            try connection.statement("DELETE FROM listeners WHERE promise_id = ?").bind(promiseID).run()
        }
        return addresses
    }

    // MARK: Outbox

    public func enqueueExecute(taskID: String, version: Int64, address: String) async throws -> OutboxEntry {
        let sequence = sequence.next()
        try connection.statement(
            """
            INSERT INTO outgoing_execute (task_id, version, address, seq) VALUES (?, ?, ?, ?)
            ON CONFLICT (task_id) DO UPDATE SET version = excluded.version, address = excluded.address,
                                                seq = excluded.seq
            """
        ).bind(taskID, version, address, sequence).run()
        return OutboxEntry(sequence: sequence, content: .execute(taskID: taskID, version: version), address: address)
    }

    public func enqueueUnblock(promiseID: String, address: String) async throws -> OutboxEntry {
        let sequence = sequence.next()
        try connection.statement(
            """
            INSERT INTO outgoing_unblock (promise_id, address, seq) VALUES (?, ?, ?)
            ON CONFLICT (promise_id, address) DO UPDATE SET seq = excluded.seq
            """
        ).bind(promiseID, address, sequence).run()
        return OutboxEntry(sequence: sequence, content: .unblock(promiseID: promiseID), address: address)
    }

    public func outboxEntries(limit: Int) async throws -> [OutboxEntry] {
        let statement = try connection.statement(
            """
            SELECT seq, 0, task_id, version, address FROM outgoing_execute
            UNION ALL
            SELECT seq, 1, promise_id, 0, address FROM outgoing_unblock
            ORDER BY 1 LIMIT ?
            """
        )
        try statement.bind(limit)
        var entries: [OutboxEntry] = []
        while try statement.step() {
            let content: OutboxEntry.Content =
                statement.int64(1) == 0
                ? .execute(taskID: statement.text(2), version: statement.int64(3))
                : .unblock(promiseID: statement.text(2))
            entries.append(OutboxEntry(sequence: statement.int64(0), content: content, address: statement.text(4)))
        }
        return entries
    }

    public func deleteOutboxEntries(_ entries: [OutboxEntry]) async throws {
        for entry in entries {
            switch entry.content {
            case .execute(let taskID, _):
                try connection.statement("DELETE FROM outgoing_execute WHERE task_id = ? AND seq = ?")
                    .bind(taskID, entry.sequence).run()
            case .unblock(let promiseID):
                try connection.statement(
                    "DELETE FROM outgoing_unblock WHERE promise_id = ? AND address = ? AND seq = ?"
                )
                .bind(promiseID, entry.address, entry.sequence).run()
            }
        }
    }

    // MARK: Schedules

    static let scheduleColumns =
        "id, cron, promise_id, promise_timeout, param_headers, param_data, promise_tags, created_at, next_run_at, last_run_at"

    func readSchedule(_ row: SQLiteStatement) throws -> ScheduleRecord {
        ScheduleRecord(
            id: row.text(0),
            cron: row.text(1),
            promiseId: row.text(2),
            promiseTimeout: row.int64(3),
            promiseParam: Value(
                headers: try row.optionalText(4).map(StringMapCoding.decode),
                data: row.optionalText(5)
            ),
            promiseTags: try StringMapCoding.decode(row.text(6)),
            createdAt: row.int64(7),
            nextRunAt: row.int64(8),
            lastRunAt: row.optionalInt64(9)
        )
    }

    func readSchedules(_ statement: SQLiteStatement) throws -> [ScheduleRecord] {
        var schedules: [ScheduleRecord] = []
        while try statement.step() { schedules.append(try readSchedule(statement)) }
        return schedules
    }

    public func schedule(id: String) async throws -> ScheduleRecord? {
        let statement = try connection.statement("SELECT \(Self.scheduleColumns) FROM schedules WHERE id = ?")
        try statement.bind(id)
        return try statement.step() ? readSchedule(statement) : nil
    }

    public func insertSchedule(_ schedule: ScheduleRecord) async throws {
        try connection.statement(
            """
            INSERT INTO schedules (id, cron, promise_id, promise_timeout, param_headers, param_data, promise_tags,
                                   created_at, next_run_at, last_run_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).bind(
            schedule.id,
            schedule.cron,
            schedule.promiseId,
            schedule.promiseTimeout,
            schedule.promiseParam.headers.map(StringMapCoding.encode),
            schedule.promiseParam.data,
            StringMapCoding.encode(schedule.promiseTags),
            schedule.createdAt,
            schedule.nextRunAt,
            schedule.lastRunAt
        ).run()
    }

    public func deleteSchedule(id: String) async throws -> Bool {
        try connection.statement("DELETE FROM schedules WHERE id = ?").bind(id).run()
        return connection.changes > 0
    }

    public func updateScheduleRun(id: String, lastRunAt: Int64, nextRunAt: Int64) async throws {
        try connection.statement("UPDATE schedules SET last_run_at = ?, next_run_at = ? WHERE id = ?")
            .bind(lastRunAt, nextRunAt, id).run()
    }

    public func dueSchedules(at time: Int64, limit: Int) async throws -> [ScheduleRecord] {
        let statement = try connection.statement(
            "SELECT \(Self.scheduleColumns) FROM schedules WHERE next_run_at <= ? ORDER BY next_run_at, id LIMIT ?"
        )
        try statement.bind(time, limit)
        return try readSchedules(statement)
    }

    public func searchSchedules(
        tags: [String: String],
        after cursor: String?,
        limit: Int
    ) async throws -> [ScheduleRecord] {
        var sql = "SELECT \(Self.scheduleColumns) FROM schedules WHERE id > ?"
        var bindings: [(any SQLiteBindable)?] = [cursor ?? ""]
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
            sql += " AND json_extract(promise_tags, ?) = ?"
            bindings += [StringMapCoding.jsonPath(forKey: key), value]
        }
        sql += " ORDER BY id LIMIT ?"
        bindings.append(limit)
        let statement = try connection.statement(sql)
        try statement.bind(bindings)
        return try readSchedules(statement)
    }

    // MARK: Timers and maintenance

    public func nextDeadline() async throws -> Int64? {
        try connection.scalarInteger(
            """
            SELECT min(deadline) FROM (
                SELECT min(timeout_at) AS deadline FROM promises WHERE state = 0
                UNION ALL SELECT min(timeout_at) FROM tasks WHERE timeout_at IS NOT NULL
                UNION ALL SELECT min(next_run_at) FROM schedules
            )
            """
        )
    }

    public func deleteAll() async throws {
        for table in [
            "promises", "promise_tags", "tasks", "callbacks", "listeners", "outgoing_execute", "outgoing_unblock",
            "schedules",
        ] {
            try connection.execute("DELETE FROM \(table)")
        }
        branchIndex?.removeAll()
    }

    public func statistics() async throws -> StoreStatistics {
        func counts<State>(_ sql: String, _ decode: (Int64) throws -> State) throws -> [State: Int] {
            let rows = try connection.statement(sql)
            var counts: [State: Int] = [:]
            while try rows.step() { counts[try decode(rows.int64(0))] = Int(rows.int64(1)) }
            return counts
        }
        let executes = try connection.scalarInteger("SELECT count(*) FROM outgoing_execute") ?? 0
        let unblocks = try connection.scalarInteger("SELECT count(*) FROM outgoing_unblock") ?? 0
        return StoreStatistics(
            promises: try counts("SELECT state, count(*) FROM promises GROUP BY state", StoredState.promiseState),
            tasks: try counts("SELECT state, count(*) FROM tasks GROUP BY state", StoredState.taskState),
            outboxDepth: Int(executes + unblocks),
            schedules: Int(try connection.scalarInteger("SELECT count(*) FROM schedules") ?? 0)
        )
    }

    public func snapshot() async throws -> StoreSnapshot {
        let promises = try readPromises(
            try connection.statement("SELECT \(Self.promiseColumns) FROM promises ORDER BY id")
        )
        let tasks = try readTasks(try connection.statement("SELECT \(Self.taskColumns) FROM tasks ORDER BY id"))
        let callbackRows = try connection.statement(
            "SELECT awaited, awaiter, ready FROM callbacks ORDER BY awaited, awaiter"
        )
        var callbacks: [StoreSnapshot.Callback] = []
        while try callbackRows.step() {
            callbacks.append(
                .init(awaited: callbackRows.text(0), awaiter: callbackRows.text(1), ready: callbackRows.int64(2) != 0)
            )
        }
        let listenerRows = try connection.statement(
            "SELECT promise_id, address FROM listeners ORDER BY promise_id, address"
        )
        var listeners: [StoreSnapshot.Listener] = []
        while try listenerRows.step() {
            listeners.append(.init(promiseID: listenerRows.text(0), address: listenerRows.text(1)))
        }
        let schedules = try readSchedules(
            try connection.statement("SELECT \(Self.scheduleColumns) FROM schedules ORDER BY id")
        )
        return StoreSnapshot(
            promises: promises,
            tasks: tasks,
            callbacks: callbacks,
            listeners: listeners,
            outbox: try await outboxEntries(limit: Int.max),
            schedules: schedules
        )
    }
}
