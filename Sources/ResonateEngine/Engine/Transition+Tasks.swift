// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Transition {
    func taskGet(id: String) async throws -> Reply {
        try await timeoutIfDue(id)
        try await expireLeaseIfDue(id)
        guard let task = try await transaction.task(id: id) else { return Reply(.notFound("Task not found")) }
        return .ok(.task(try await record(task)))
    }

    func taskCreate(_ create: TaskCreate) async throws -> Reply {
        let id = create.promise.id
        try await timeoutIfDue(id)
        try await expireLeaseIfDue(id)
        if try await transaction.promise(id: id) == nil {
            let promise = try await createPromiseForCreator(create)
            guard var task = try await transaction.task(id: id) else {
                return Reply(.unprocessable("The promise does not have a resonate:target tag"))
            }
            if task.state == .fulfilled {
                return .ok(.taskWithPromise(task: task.record(resumes: 0), promise: promise, preload: []))
            }
            try await acquire(
                &task, pid: create.pid, ttl: create.ttl, isWork: !promise.isTimer,
                wantsCleanup: create.requestsCleanup)
            return .ok(
                .taskWithPromise(
                    task: task.record(resumes: 0), promise: promise, preload: try await preload(for: promise))
            )
        }
        let promise = try await transaction.promise(id: id)!
        guard var task = try await transaction.task(id: id) else {
            return Reply(.unprocessable("The promise does not have a resonate:target tag"))
        }
        switch task.state {
        case .fulfilled:
            return .ok(.taskWithPromise(task: task.record(resumes: 0), promise: promise, preload: []))
        case .pending:
            try await acquire(
                &task, pid: create.pid, ttl: create.ttl, isWork: !promise.isTimer,
                wantsCleanup: create.requestsCleanup)
            return .ok(
                .taskWithPromise(
                    task: task.record(resumes: 0), promise: promise, preload: try await preload(for: promise))
            )
        case .acquired, .suspended, .halted:
            return Reply(.conflict("Already exists"))
        }
    }

    /// Inserts the promise of a `task.create` with its task already leased to the creator (so no `execute`
    /// is queued), or already fulfilled when the deadline has passed.
    private func createPromiseForCreator(_ create: TaskCreate) async throws -> PromiseRecord {
        let request = create.promise
        if now >= request.timeoutAt {
            return try await createPromise(request)
        }
        let promise = PromiseRecord(
            id: request.id,
            state: .pending,
            param: request.param,
            tags: request.tags,
            timeoutAt: request.timeoutAt,
            createdAt: now
        )
        try await transaction.insertPromise(promise)
        effects.noteDeadline(request.timeoutAt)
        // Inserted pending at version 0 and acquired by the caller right away: version 1, like the protocol says.
        try await transaction.insertTask(TaskRow(id: request.id, state: .pending, version: 0))
        return promise
    }

    func taskAcquire(_ request: TaskAcquire) async throws -> Reply {
        try await timeoutIfDue(request.id)
        try await expireLeaseIfDue(request.id)
        guard var task = try await transaction.task(id: request.id),
            let promise = try await transaction.promise(id: request.id)
        else { return Reply(.notFound("Task not found")) }
        guard task.state == .pending else { return Reply(.conflict("Task is not pending")) }
        guard task.version == request.version else { return Reply(.conflict("Version mismatch")) }
        try await acquire(
            &task, pid: request.pid, ttl: request.ttl, isWork: !promise.isTimer,
            wantsCleanup: request.requestsCleanup)
        return .ok(
            .taskWithPromise(
                task: task.record(resumes: 0),
                promise: promise,
                preload: request.omitsPreload ? [] : try await preload(for: promise)
            )
        )
    }

    func taskRelease(id: String, version: Int64) async throws -> Reply {
        try await timeoutIfDue(id)
        try await expireLeaseIfDue(id)
        guard var task = try await transaction.task(id: id) else { return Reply(.notFound("Task not found")) }
        guard task.state == .acquired, task.version == version else {
            return Reply(.conflict("Task version mismatch or invalid state"))
        }
        try await makePending(&task)
        return .ok(.empty)
    }

    func taskFulfill(_ request: TaskFulfill) async throws -> Reply {
        try await timeoutIfDue(request.id)
        try await expireLeaseIfDue(request.id)
        guard let task = try await transaction.task(id: request.id) else { return Reply(.notFound("Task not found")) }
        guard task.state == .acquired, task.version == request.version,
            let promise = try await transaction.promise(id: request.id), promise.state == .pending
        else { return Reply(.conflict("Task version mismatch or invalid state")) }
        let settled = try await settle(
            promise,
            state: request.settle.state,
            value: request.settle.value,
            settledAt: now,
            byOwnTask: true
        )
        return .ok(.promise(settled))
    }

    func taskSuspend(_ request: TaskSuspend) async throws -> Reply {
        var awaitedIDs: [String] = []
        for callback in request.callbacks where !awaitedIDs.contains(callback.awaited) {
            awaitedIDs.append(callback.awaited)
        }
        try await timeoutIfDue(request.id)
        for id in awaitedIDs { try await timeoutIfDue(id) }
        try await expireLeaseIfDue(request.id)
        guard var task = try await transaction.task(id: request.id) else { return Reply(.notFound("Task not found")) }
        guard task.state == .acquired, task.version == request.version else {
            return Reply(.conflict("Task is not acquired or version mismatch"))
        }
        var anySettled = false
        for id in awaitedIDs {
            guard let awaited = try await transaction.promise(id: id) else {
                return Reply(.unprocessable("Awaited promise not found"))
            }
            if awaited.state != .pending { anySettled = true }
        }
        try await transaction.deleteReadyCallbacks(awaiter: request.id)
        if anySettled {
            // Something the task waits for is already done: it keeps its lease and carries on.
            guard let promise = try await transaction.promise(id: request.id) else {
                return Reply(.notFound("Task not found"))
            }
            return Reply(status: 300, payload: .preload(request.omitsPreload ? [] : try await preload(for: promise)))
        }
        for id in awaitedIDs {
            try await transaction.insertCallback(awaited: id, awaiter: request.id, ready: false)
        }
        effects.leaseEnds(task)
        task.state = .suspended
        // The pid stays, as the last holder's: the resume is sent there first (see `makePending`).
        task.ttl = nil
        task.timeout = nil
        try await transaction.updateTask(task)
        return .ok(.empty)
    }

    func taskFence(_ request: TaskFence) async throws -> Reply {
        try await timeoutIfDue(request.id)
        // A created promise's lazy timeout waits until it is known to exist (see the `.create` case).
        if case .settle(let settle) = request.action { try await timeoutIfDue(settle.id) }
        try await expireLeaseIfDue(request.id)
        guard let task = try await transaction.task(id: request.id) else { return Reply(.notFound("Task not found")) }
        guard task.state == .acquired, task.version == request.version,
            let taskPromise = try await transaction.promise(id: request.id)
        else { return Reply(.conflict("Version mismatch")) }
        let status: Int
        let promise: PromiseRecord?
        switch request.action {
        case .create(let create):
            if let created = try await createPromiseIfAbsent(create) {
                promise = created
            } else {
                try await timeoutIfDue(create.id)
                promise = try await createPromise(create)
            }
            status = 200
        case .settle(let settle):
            if let existing = try await transaction.promise(id: settle.id) {
                status = 200
                promise =
                    existing.state == .pending
                    ? try await self.settle(existing, state: settle.state, value: settle.value, settledAt: now)
                    : existing
            } else {
                status = 404
                promise = nil
            }
        }
        let outcome = FenceOutcome(
            kind: request.action.kind,
            status: status,
            promise: promise,
            preload: request.omitsPreload ? [] : try await preload(for: taskPromise)
        )
        return .ok(.fenced(outcome))
    }

    func taskHeartbeat(_ request: TaskHeartbeat) async throws -> Reply {
        for reference in request.tasks where !reference.id.isEmpty {
            try await expireLeaseIfDue(reference.id)
            guard var task = try await transaction.task(id: reference.id), task.state == .acquired,
                task.version == reference.version, task.pid == request.pid, let ttl = task.ttl
            else { continue }
            task.timeout = .lease(at: now + ttl)
            try await transaction.updateTask(task)
        }
        return .ok(.empty)
    }

    func taskHalt(id: String) async throws -> Reply {
        try await timeoutIfDue(id)
        try await expireLeaseIfDue(id)
        guard var task = try await transaction.task(id: id) else { return Reply(.notFound("Task not found")) }
        switch task.state {
        case .fulfilled:
            return Reply(.conflict("Task is fulfilled"))
        case .halted:
            return .ok(.empty)
        case .pending, .acquired, .suspended:
            effects.leaseEnds(task)
            task.state = .halted
            task.pid = nil
            task.ttl = nil
            task.timeout = nil
            try await transaction.updateTask(task)
            return .ok(.empty)
        }
    }

    func taskContinue(id: String) async throws -> Reply {
        try await timeoutIfDue(id)
        guard var task = try await transaction.task(id: id) else { return Reply(.notFound("Task not found")) }
        guard task.state == .halted else { return Reply(.conflict("Task is not halted")) }
        try await makePending(&task)
        return .ok(.empty)
    }

    func taskSearch(_ search: TaskSearch) async throws -> Reply {
        var tasks = try await transaction.searchTasks(
            state: search.state, after: search.cursor, limit: search.limit + 1)
        var cursor: String?
        if tasks.count > search.limit {
            tasks.removeLast(tasks.count - search.limit)
            cursor = tasks.last?.id
        }
        var records: [TaskRecord] = []
        records.reserveCapacity(tasks.count)
        for task in tasks { records.append(try await record(task)) }
        return .ok(.tasks(records, cursor: cursor))
    }
}
