// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Transition {
    func scheduleGet(id: String) async throws -> Reply {
        guard let schedule = try await transaction.schedule(id: id) else {
            return Reply(.notFound("Schedule not found"))
        }
        return .ok(.schedule(schedule))
    }

    func scheduleCreate(_ create: ScheduleCreate) async throws -> Reply {
        if let existing = try await transaction.schedule(id: create.id) { return .ok(.schedule(existing)) }
        // Validation already parsed the expression; parsing again here is cheap and keeps this method total.
        guard let cron = try? CronExpression(parsing: create.cron),
            let nextRunAt = cron.nextOccurrence(after: now)
        else {
            return Reply(.badRequest("Invalid cron expression \"\(create.cron)\": it has no future occurrence"))
        }
        let schedule = ScheduleRecord(
            id: create.id,
            cron: create.cron,
            promiseId: create.promiseId,
            promiseTimeout: create.promiseTimeout,
            promiseParam: create.promiseParam,
            promiseTags: create.promiseTags,
            createdAt: now,
            nextRunAt: nextRunAt
        )
        try await transaction.insertSchedule(schedule)
        effects.noteDeadline(nextRunAt)
        return .ok(.schedule(schedule))
    }

    func scheduleDelete(id: String) async throws -> Reply {
        guard try await transaction.deleteSchedule(id: id) else { return Reply(.notFound("Schedule not found")) }
        return .ok(.empty)
    }

    func scheduleSearch(_ search: ScheduleSearch) async throws -> Reply {
        var schedules = try await transaction.searchSchedules(
            tags: search.tags,
            after: search.cursor,
            limit: search.limit + 1
        )
        var cursor: String?
        if schedules.count > search.limit {
            schedules.removeLast(schedules.count - search.limit)
            cursor = schedules.last?.id
        }
        return .ok(.schedules(schedules, cursor: cursor))
    }

    /// Fires one occurrence of a due schedule (PROTOCOL §5.4): creates its promise and moves it to the next run.
    ///
    /// Missed occurrences are caught up one per pass, each with its own historical timestamp, as the reference's
    /// SQL backends do; the timer runs passes back to back while anything is due, so catching up is quick.
    func fire(_ schedule: ScheduleRecord) async throws {
        let firedAt = schedule.nextRunAt
        let promiseID = schedule.promiseID(firedAt: firedAt)
        var tags = schedule.promiseTags
        tags[Tag.schedule] = schedule.id
        tags[Tag.origin] = promiseID
        tags[Tag.branch] = promiseID
        tags[Tag.parent] = promiseID
        tags[Tag.prefix] = promiseID
        let (timeoutAt, overflow) = firedAt.addingReportingOverflow(schedule.promiseTimeout)
        _ = try await createPromise(
            PromiseCreate(
                id: promiseID,
                timeoutAt: overflow ? Int64.max : timeoutAt,
                param: schedule.promiseParam,
                tags: tags
            ),
            createdAt: firedAt
        )
        // An expression that stops matching (a year field in the past) leaves the schedule idle far in the future.
        let nextRunAt =
            (try? CronExpression(parsing: schedule.cron))?.nextOccurrence(after: firedAt) ?? Limits.latestTime
        try await transaction.updateScheduleRun(id: schedule.id, lastRunAt: firedAt, nextRunAt: nextRunAt)
        effects.noteDeadline(nextRunAt)
    }
}
