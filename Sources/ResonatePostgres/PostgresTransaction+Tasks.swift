// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
public import ResonateEngine
public import ResonateProtocol

extension PostgresTransaction {
    // MARK: Tasks

    public func task(id: String) async throws -> TaskRow? {
        try await row(known: knownTask(id: id), remember: { self.remember($0, id: id) }) {
            try await rows("SELECT \(unescaped: Self.taskColumns) FROM tasks WHERE id = \(id)\(unescaped: lockClause)")
                .first.map(Self.task)
        }
    }

    public func insertTask(_ task: TaskRow) async throws {
        try await rows(
            """
            INSERT INTO tasks (id, state, version, pid, ttl, timeout_kind, timeout_at, wants_cleanup)
            VALUES (\(task.id), \(task.state.rawValue), \(task.version), \(task.pid), \(task.ttl),
                    \(task.timeout.map { Int16($0.kind.rawValue) }), \(task.timeout?.at), \(task.wantsCleanup))
            """
        )
        remember(task, id: task.id)
    }

    public func updateTask(_ task: TaskRow) async throws {
        try await rows(
            """
            UPDATE tasks SET state = \(task.state.rawValue), version = \(task.version), pid = \(task.pid),
                             ttl = \(task.ttl), timeout_kind = \(task.timeout.map { Int16($0.kind.rawValue) }),
                             timeout_at = \(task.timeout?.at), wants_cleanup = \(task.wantsCleanup)
            WHERE id = \(task.id)
            """
        )
        rememberUpdated(task)
    }

    public func expiredTasks(at time: Int64, limit: Int) async throws -> [TaskRow] {
        // Claimed rows are locked (or, read-only, from this transaction's snapshot): later reads by id can use them.
        rememberAll(
            try await rows(
                """
                SELECT \(unescaped: Self.taskColumns) FROM tasks
                WHERE timeout_at IS NOT NULL AND timeout_at <= \(time) ORDER BY timeout_at, id LIMIT \(limit)\(unescaped: claimClause)
                """
            ).map(Self.task)
        )
    }

    /// In a write transaction the rows are locked: a writer may update them from what it read.
    public func searchTasks(state: TaskState?, after cursor: String?, limit: Int) async throws -> [TaskRow] {
        if let state {
            return try await rows(
                """
                SELECT \(unescaped: Self.taskColumns) FROM tasks
                WHERE state = \(state.rawValue) AND id > \(cursor ?? "") ORDER BY id LIMIT \(limit)\(unescaped: lockClause)
                """
            ).map(Self.task)
        }
        return try await rows(
            """
            SELECT \(unescaped: Self.taskColumns) FROM tasks
            WHERE id > \(cursor ?? "") ORDER BY id LIMIT \(limit)\(unescaped: lockClause)
            """
        ).map(Self.task)
    }

    // MARK: Callbacks

    public func insertCallback(awaited: String, awaiter: String, ready: Bool) async throws {
        try await rows(
            "INSERT INTO callbacks (awaited, awaiter, ready) VALUES (\(awaited), \(awaiter), \(ready)) ON CONFLICT DO NOTHING"
        )
    }

    public func deleteCallbacks(awaiter: String) async throws {
        try await rows("DELETE FROM callbacks WHERE awaiter = \(awaiter)")
    }

    public func deleteReadyCallbacks(awaiter: String) async throws {
        try await rows("DELETE FROM callbacks WHERE awaiter = \(awaiter) AND ready")
    }

    public func readyCallbackCount(awaiter: String) async throws -> Int64 {
        try await rows("SELECT count(*) FROM callbacks WHERE awaiter = \(awaiter) AND ready").first?.decode(
            Int64.self) ?? 0
    }

    // MARK: Listeners

    public func insertListener(promiseID: String, address: String) async throws {
        try await rows(
            "INSERT INTO listeners (promise_id, address) VALUES (\(promiseID), \(address)) ON CONFLICT DO NOTHING"
        )
    }
}
