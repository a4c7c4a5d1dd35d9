// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// One page of a search: the records and the cursor of the next page, if there is one.
struct Page<Record: Sendable>: Sendable {
    var records: [Record]
    var cursor: String?
}

extension ResonateClient {
    func getPromise(_ id: String) async throws(ClientError) -> PromiseRecord {
        try promise(from: await send(.promiseGet(id: id)), of: .promiseGet)
    }

    /// The promise `id`, or `nil` when the server answers 404.
    func findPromise(_ id: String) async throws(ClientError) -> PromiseRecord? {
        do {
            return try await getPromise(id)
        } catch  where error.status == 404 {
            return nil
        }
    }

    func createPromise(_ create: PromiseCreate) async throws(ClientError) -> PromiseRecord {
        try promise(from: await send(.promiseCreate(create)), of: .promiseCreate)
    }

    func settlePromise(_ settle: PromiseSettle) async throws(ClientError) -> PromiseRecord {
        try promise(from: await send(.promiseSettle(settle)), of: .promiseSettle)
    }

    func searchPromises(_ search: PromiseSearch) async throws(ClientError) -> Page<PromiseRecord> {
        guard case .promises(let promises, let cursor) = try await send(.promiseSearch(search)) else {
            throw unexpected(.promiseSearch)
        }
        return Page(records: promises, cursor: cursor)
    }

    func getTask(_ id: String) async throws(ClientError) -> TaskRecord {
        guard case .task(let task) = try await send(.taskGet(id: id)) else { throw unexpected(.taskGet) }
        return task
    }

    func haltTask(_ id: String) async throws(ClientError) {
        _ = try await send(.taskHalt(id: id))
    }

    func continueTask(_ id: String) async throws(ClientError) {
        _ = try await send(.taskContinue(id: id))
    }

    func searchTasks(_ search: TaskSearch) async throws(ClientError) -> Page<TaskRecord> {
        guard case .tasks(let tasks, let cursor) = try await send(.taskSearch(search)) else {
            throw unexpected(.taskSearch)
        }
        return Page(records: tasks, cursor: cursor)
    }

    func createSchedule(_ create: ScheduleCreate) async throws(ClientError) -> ScheduleRecord {
        try schedule(from: await send(.scheduleCreate(create)), of: .scheduleCreate)
    }

    func getSchedule(_ id: String) async throws(ClientError) -> ScheduleRecord {
        try schedule(from: await send(.scheduleGet(id: id)), of: .scheduleGet)
    }

    func deleteSchedule(_ id: String) async throws(ClientError) {
        _ = try await send(.scheduleDelete(id: id))
    }

    func searchSchedules(_ search: ScheduleSearch) async throws(ClientError) -> Page<ScheduleRecord> {
        guard case .schedules(let schedules, let cursor) = try await send(.scheduleSearch(search)) else {
            throw unexpected(.scheduleSearch)
        }
        return Page(records: schedules, cursor: cursor)
    }

    private func promise(from payload: Reply.Payload, of kind: RequestKind) throws(ClientError) -> PromiseRecord {
        guard case .promise(let promise) = payload else { throw unexpected(kind) }
        return promise
    }

    private func schedule(from payload: Reply.Payload, of kind: RequestKind) throws(ClientError) -> ScheduleRecord {
        guard case .schedule(let schedule) = payload else { throw unexpected(kind) }
        return schedule
    }

    /// Decoding by kind makes every success payload the expected case; this guards against that changing.
    private func unexpected(_ kind: RequestKind) -> ClientError {
        ClientError(.unavailable, "unexpected \(kind.rawValue) response from \(serverURL)", operation: kind.rawValue)
    }
}
