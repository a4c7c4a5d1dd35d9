// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
public import ResonateEngine

extension PostgresTransaction {
    public func nextDeadline() async throws -> Int64? {
        try await rows(
            """
            SELECT min(deadline) FROM (
                SELECT min(timeout_at) AS deadline FROM promises WHERE state = 'pending'
                UNION ALL SELECT min(timeout_at) FROM tasks WHERE timeout_at IS NOT NULL
                UNION ALL SELECT min(next_run_at) FROM schedules
            ) AS deadlines
            """
        ).first?.decode(Int64?.self) ?? nil
    }

    public func deleteAll() async throws {
        forgetPromises(id: nil)
        forgetTasks()
        // DELETE rather than TRUNCATE: TRUNCATE is not MVCC-safe and would take an exclusive lock on each table.
        try await rows("DELETE FROM promises")
        try await rows("DELETE FROM promise_tags")
        try await rows("DELETE FROM tasks")
        try await rows("DELETE FROM callbacks")
        try await rows("DELETE FROM listeners")
        try await rows("DELETE FROM outgoing_execute")
        try await rows("DELETE FROM outgoing_unblock")
        try await rows("DELETE FROM schedules")
    }

    public func snapshot() async throws -> StoreSnapshot {
        let promises = try await rows("SELECT \(unescaped: Self.promiseColumns) FROM promises ORDER BY id").map(
            Self.promise)
        let tasks = try await rows("SELECT \(unescaped: Self.taskColumns) FROM tasks ORDER BY id").map(Self.task)
        let callbacks = try await rows("SELECT awaited, awaiter, ready FROM callbacks ORDER BY awaited, awaiter").map {
            row in
            let (awaited, awaiter, ready) = try row.decode((String, String, Bool).self)
            return StoreSnapshot.Callback(awaited: awaited, awaiter: awaiter, ready: ready)
        }
        let listeners = try await rows("SELECT promise_id, address FROM listeners ORDER BY promise_id, address").map {
            row in
            let (promiseID, address) = try row.decode((String, String).self)
            return StoreSnapshot.Listener(promiseID: promiseID, address: address)
        }
        let schedules = try await rows("SELECT \(unescaped: Self.scheduleColumns) FROM schedules ORDER BY id").map(
            Self.schedule)
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
