// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The protocol's state transitions, applied to one store transaction at one instant.
///
/// Every operation of PROTOCOL §2–§5 is a method here. They read and write rows through the transaction and record
/// outbox messages and new timer deadlines in ``effects``; nothing here performs I/O of its own. Requests reach
/// these methods already validated, so a method either completes its change or returns an error status without
/// having written anything — except lazy timeouts, which are real events that happened regardless.
struct Transition<T: StoreTransaction> {
    let transaction: T
    /// "Now" for this request, in milliseconds.
    let now: Int64
    /// The retry timeout `R` in milliseconds.
    let retryTimeout: Int64
    /// How ids encode lineage: names the cleanup executions of canceled promises and recognizes detached ones.
    let idRules: IDRules
    let effects: EffectsCollector

    // MARK: Lazy timeouts

    /// Settles `id` by timeout if it is pending and past its deadline (PROTOCOL §2.8, lazy path).
    func timeoutIfDue(_ id: String) async throws {
        guard let promise = try await transaction.promise(id: id), promise.state == .pending,
            promise.timeoutAt <= now
        else { return }
        _ = try await settle(promise, state: promise.timeoutState, value: .empty, settledAt: promise.timeoutAt)
    }

    /// Turns an acquired task whose lease has expired back into a pending one.
    ///
    /// The reference server only does this in its 1-second background pass, so a worker whose lease had already
    /// expired could still fence and fulfill until the pass ran. Checking every task a request names keeps the
    /// fencing guarantee exact: a lease is honoured up to its expiry and never after.
    func expireLeaseIfDue(_ id: String) async throws {
        guard var task = try await transaction.task(id: id), task.state == .acquired,
            let timeout = task.timeout, timeout.kind == .lease, timeout.at <= now
        else { return }
        try await makePending(&task)
    }

    // MARK: Settlement chain (PROTOCOL §2.7)

    /// Settles a pending promise and runs the settlement chain; returns the settled record.
    ///
    /// A cancellation goes further than the protocol's chain (see `propagateCancellation`).
    ///
    /// - Parameter byOwnTask: whether the promise's own task settles it (`task.fulfill`): a function that ends
    ///   itself canceled has nothing left to clean up.
    func settle(
        _ promise: PromiseRecord,
        state: PromiseState,
        value: Value,
        settledAt: Int64,
        byOwnTask: Bool = false
    ) async throws -> PromiseRecord {
        // The callbacks and listeners released here are not the ones the own task's cleanup in the chain deletes
        // (those await other promises), so one call can release them up front.
        let waiters = try await transaction.settlePromise(
            id: promise.id, state: state, value: value, settledAt: settledAt)
        return try await settlementChain(
            promise, state: state, value: value, settledAt: settledAt, waiters: waiters, byOwnTask: byOwnTask)
    }

    /// The rest of a settlement once the store recorded it and released `waiters`: finishes the promise's own
    /// task, resumes the awaiters, notifies the listeners, propagates a cancellation. Returns the settled record.
    func settlementChain(
        _ promise: PromiseRecord,
        state: PromiseState,
        value: Value,
        settledAt: Int64,
        waiters: SettlementWaiters,
        byOwnTask: Bool = false
    ) async throws -> PromiseRecord {
        var settled = promise
        settled.state = state
        settled.value = value
        settled.settledAt = settledAt

        // The promise's own task is finished, whoever settled the promise. Only a promise with a target has a task
        // (see `createPromise`), so a local step's settlement skips the read.
        let ownTask = promise.target == nil ? nil : try await transaction.task(id: promise.id)
        if var task = ownTask, task.state != .fulfilled {
            effects.leaseEnds(task)
            task.state = .fulfilled
            task.pid = nil
            task.ttl = nil
            task.timeout = nil
            try await transaction.updateTask(task)
            try await transaction.deleteCallbacks(awaiter: promise.id)
        }

        // Awaiters suspended on this promise resume; others keep a ready callback (their `resumes`).
        for awaiter in waiters.awaiters {
            guard var task = try await transaction.task(id: awaiter), task.state == .suspended else { continue }
            try await makePending(&task)
        }

        for address in waiters.listeners {
            let entry = try await transaction.enqueueUnblock(promiseID: promise.id, address: address)
            effects.deliver(entry, .unblock(promise: settled))
        }
        if state == .rejectedCanceled {
            try await propagateCancellation(of: settled, task: byOwnTask ? nil : ownTask)
        }
        return settled
    }

    /// Moves a task to pending at its current version, arms its retry timeout, and sends it an `execute`.
    ///
    /// A suspended task's resume goes to the process that suspended it first, when the target is a whole group
    /// (`poll://any@group`): that process may still have the execution in memory and continue it without
    /// replaying. Anycast honours the preference only while that process is connected and no busier than its
    /// group's average, so a dead or overloaded worker's work still spreads at once.
    func makePending(_ task: inout TaskRow) async throws {
        let lastHolder = task.state == .suspended ? task.pid : nil
        effects.leaseEnds(task)
        task.state = .pending
        task.pid = nil
        task.ttl = nil
        task.timeout = .retry(at: now + retryTimeout)
        try await transaction.updateTask(task)
        effects.noteDeadline(now + retryTimeout)
        try await sendExecute(task, preferring: lastHolder)
    }

    /// Queues an `execute` of the task's current version to its promise's target (preferring `process` there).
    func sendExecute(_ task: TaskRow, preferring process: String? = nil) async throws {
        guard var target = try await transaction.promise(id: task.id)?.target else { return }
        if let process, case .anycast(let group, nil)? = try? Address(parsing: target) {
            target = Address.anycast(group: group, process: process).description
        }
        let entry = try await transaction.enqueueExecute(taskID: task.id, version: task.version, address: target)
        effects.deliver(entry, .execute(taskID: task.id, version: task.version))
    }

    // MARK: Creation

    /// Creates a promise unless one exists (PROTOCOL §2.3 steps 3–5); returns the stored or new record.
    ///
    /// - Parameter createdAt: the creation time to record when the promise is pending; schedules pass the firing
    ///   time rather than now.
    func createPromise(_ create: PromiseCreate, createdAt: Int64? = nil) async throws -> PromiseRecord {
        if let existing = try await transaction.promise(id: create.id) { return existing }
        let promise = newPromise(create, createdAt: createdAt)
        try await transaction.insertPromise(promise)
        try await finishCreation(of: promise, create)
        return promise
    }

    /// Creates a promise if none exists, without reading the id first; `nil` if one exists (unread, so the caller
    /// applies its lazy timeout and reads it). A new id, the common case, then costs one statement, not two.
    func createPromiseIfAbsent(_ create: PromiseCreate) async throws -> PromiseRecord? {
        let promise = newPromise(create, createdAt: nil)
        guard try await transaction.insertPromiseIfAbsent(promise) else { return nil }
        try await finishCreation(of: promise, create)
        return promise
    }

    /// The record a creation inserts: timed out if its deadline has passed, settled if born settled without a
    /// target, else pending.
    private func newPromise(_ create: PromiseCreate, createdAt: Int64?) -> PromiseRecord {
        if now >= create.timeoutAt {
            var promise = PromiseRecord(
                id: create.id,
                state: .pending,
                param: create.param,
                tags: create.tags,
                timeoutAt: create.timeoutAt,
                createdAt: create.timeoutAt
            )
            promise.state = promise.timeoutState
            promise.settledAt = create.timeoutAt
            return promise
        }
        if let settlement = create.settlement, create.tags[Tag.target] == nil {
            // Born settled (PromiseCreate.settlementField): nothing can wait on a promise that did not exist, and
            // without a target it has no task, so the insert is the whole settlement.
            return PromiseRecord(
                id: create.id,
                state: settlement.state,
                param: create.param,
                value: settlement.value,
                tags: create.tags,
                timeoutAt: create.timeoutAt,
                createdAt: min(settlement.startedAt ?? now, createdAt ?? now),
                settledAt: now
            )
        }
        return PromiseRecord(
            id: create.id,
            state: .pending,
            param: create.param,
            tags: create.tags,
            timeoutAt: create.timeoutAt,
            createdAt: createdAt ?? now
        )
    }

    /// What follows the insert of a new promise: its task (and `execute`) when it has a target, its timer.
    private func finishCreation(of promise: PromiseRecord, _ create: PromiseCreate) async throws {
        guard let target = create.tags[Tag.target] else {
            if promise.state == .pending { effects.noteDeadline(create.timeoutAt) }
            return
        }
        guard promise.state == .pending else {
            // Timed out on arrival (a born-settled promise with a target is created pending).
            try await transaction.insertTask(TaskRow(id: create.id, state: .fulfilled, version: 0))
            return
        }
        effects.noteDeadline(create.timeoutAt)
        // `resonate:delay` defers the first execute: the retry timer fires at the delay instead.
        if let delay = create.tags[Tag.delay].flatMap({ Int64($0) }), delay > now {
            try await transaction.insertTask(
                TaskRow(id: create.id, state: .pending, version: 0, timeout: .retry(at: delay)))
            effects.noteDeadline(delay)
            return
        }
        try await transaction.insertTask(
            TaskRow(id: create.id, state: .pending, version: 0, timeout: .retry(at: now + retryTimeout))
        )
        effects.noteDeadline(now + retryTimeout)
        let entry = try await transaction.enqueueExecute(taskID: create.id, version: 0, address: target)
        effects.deliver(entry, .execute(taskID: create.id, version: 0))
    }

    // MARK: Leases

    /// Acquires a pending task for `pid`: version + 1, a lease until now + ttl, ready callbacks cleared.
    ///
    /// - Parameter isWork: whether the lease counts as work for dispatch; a durable sleep's task does not (SDKs
    ///   hold or drop it without doing anything).
    /// - Parameter wantsCleanup: whether the process runs cleanup executions (``Request/cleanupHeadField``).
    func acquire(_ task: inout TaskRow, pid: String, ttl: Int64, isWork: Bool, wantsCleanup: Bool) async throws {
        task.state = .acquired
        task.wantsCleanup = wantsCleanup
        task.version += 1
        task.pid = pid
        task.ttl = ttl
        task.timeout = .lease(at: now + ttl)
        try await transaction.updateTask(task)
        try await transaction.deleteReadyCallbacks(awaiter: task.id)
        if isWork { effects.leaseBegins(pid: pid, task: task.id) }
        effects.noteDeadline(now + ttl)
    }

    /// The promises replayed with `promise`'s task: its branch, without itself (PROTOCOL §3.7).
    func preload(for promise: PromiseRecord) async throws -> [PromiseRecord] {
        guard let branch = promise.tags[Tag.branch] else { return [] }
        return try await transaction.promises(inBranch: branch, excluding: promise.id)
    }

    func record(_ task: TaskRow) async throws -> TaskRecord {
        task.record(resumes: try await transaction.readyCallbackCount(awaiter: task.id))
    }
}
