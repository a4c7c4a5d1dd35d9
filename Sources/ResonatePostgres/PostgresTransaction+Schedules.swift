// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
public import ResonateProtocol

extension PostgresTransaction {
    public func schedule(id: String) async throws -> ScheduleRecord? {
        try await rows(
            "SELECT \(unescaped: Self.scheduleColumns) FROM schedules WHERE id = \(id)\(unescaped: lockClause)"
        ).first.map(Self.schedule)
    }

    public func insertSchedule(_ schedule: ScheduleRecord) async throws {
        try await rows(
            """
            INSERT INTO schedules (id, cron, promise_id, promise_timeout, param_headers, param_data, promise_tags,
                                   created_at, next_run_at, last_run_at)
            VALUES (\(schedule.id), \(schedule.cron), \(schedule.promiseId), \(schedule.promiseTimeout),
                    \(schedule.promiseParam.headers.map(JSONMapColumn.encode))::text::jsonb, \(schedule.promiseParam.data),
                    \(JSONMapColumn.encode(schedule.promiseTags))::jsonb, \(schedule.createdAt), \(schedule.nextRunAt),
                    \(schedule.lastRunAt))
            """
        )
    }

    public func deleteSchedule(id: String) async throws -> Bool {
        try await !rows("DELETE FROM schedules WHERE id = \(id) RETURNING id").isEmpty
    }

    public func updateScheduleRun(id: String, lastRunAt: Int64, nextRunAt: Int64) async throws {
        try await rows(
            "UPDATE schedules SET last_run_at = \(lastRunAt), next_run_at = \(nextRunAt) WHERE id = \(id)"
        )
    }

    public func dueSchedules(at time: Int64, limit: Int) async throws -> [ScheduleRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.scheduleColumns) FROM schedules
            WHERE next_run_at <= \(time) ORDER BY next_run_at, id LIMIT \(limit)\(unescaped: claimClause)
            """
        ).map(Self.schedule)
    }

    public func searchSchedules(
        tags: [String: String],
        after cursor: String?,
        limit: Int
    ) async throws -> [ScheduleRecord] {
        // Containment of {"k": "v", …} is exactly "every filter tag is present with that value".
        try await rows(
            """
            SELECT \(unescaped: Self.scheduleColumns) FROM schedules
            WHERE id > \(cursor ?? "") AND promise_tags @> \(JSONMapColumn.encode(tags))::jsonb
            ORDER BY id LIMIT \(limit)
            """
        ).map(Self.schedule)
    }
}
