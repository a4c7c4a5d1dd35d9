// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// Row-level access to storage inside one transaction.
///
/// The engine implements every protocol rule on top of these primitives; stores only persist and query. Methods
/// that return rows a request is about to modify lock them where the store needs locks (PostgreSQL).
public protocol StoreTransaction {
    // MARK: Promises

    func promise(id: String) async throws -> PromiseRecord?
    /// Inserts a new promise (its id is known not to exist).
    func insertPromise(_ promise: PromiseRecord) async throws
    /// Inserts a promise unless its id exists; whether it did (a default implementation reads the id first; a
    /// store with round trips does it in one).
    func insertPromiseIfAbsent(_ promise: PromiseRecord) async throws -> Bool
    /// Records the settlement of a pending promise and releases what waited for it: marks its callbacks ready and
    /// returns their awaiters, ordered by id, and removes and returns its listeners' addresses, ordered.
    @discardableResult
    func settlePromise(
        id: String, state: PromiseState, value: Value, settledAt: Int64
    ) async throws
        -> SettlementWaiters
    /// ``settlePromise(id:state:value:settledAt:)`` if the promise is pending and its timeout is after `settledAt`;
    /// otherwise changes nothing. Either way a write transaction holds the promise's row afterwards, as after
    /// ``promise(id:)``. A default implementation reads the promise first; a store with round trips does it in one.
    func settlePromiseIfPending(
        id: String, state: PromiseState, value: Value, settledAt: Int64
    ) async throws -> ConditionalSettlement
    /// The promises whose `resonate:branch` tag is `branch`, except `excluding`, ordered by id.
    func promises(inBranch branch: String, excluding: String) async throws -> [PromiseRecord]
    /// Promises matching the filters with id greater than `cursor`, ordered by id, at most `limit`.
    func searchPromises(
        state: PromiseState?,
        tags: [String: String],
        after cursor: String?,
        limit: Int
    ) async throws -> [PromiseRecord]
    /// Pending promises whose deadline is at or before `time`, earliest first.
    func expiredPromises(at time: Int64, limit: Int) async throws -> [PromiseRecord]

    // MARK: Tasks

    func task(id: String) async throws -> TaskRow?
    func insertTask(_ task: TaskRow) async throws
    func updateTask(_ task: TaskRow) async throws
    /// Tasks whose timeout is at or before `time`, earliest first.
    func expiredTasks(at time: Int64, limit: Int) async throws -> [TaskRow]
    func searchTasks(state: TaskState?, after cursor: String?, limit: Int) async throws -> [TaskRow]

    // MARK: Callbacks

    /// Registers `awaiter` to be resumed when `awaited` settles; no effect if already registered.
    func insertCallback(awaited: String, awaiter: String, ready: Bool) async throws
    func deleteCallbacks(awaiter: String) async throws
    func deleteReadyCallbacks(awaiter: String) async throws
    /// The number of ready callbacks of `awaiter`: the task's `resumes`.
    func readyCallbackCount(awaiter: String) async throws -> Int64

    // MARK: Listeners

    /// Registers `address` to receive an `unblock` when `promiseID` settles; no effect if already registered.
    func insertListener(promiseID: String, address: String) async throws

    // MARK: Outbox

    /// Queues an `execute`, replacing any queued `execute` of the same task.
    func enqueueExecute(taskID: String, version: Int64, address: String) async throws -> OutboxEntry
    /// Queues an `unblock` of `promiseID` to `address`.
    func enqueueUnblock(promiseID: String, address: String) async throws -> OutboxEntry
    /// Every queued message, oldest first.
    func outboxEntries(limit: Int) async throws -> [OutboxEntry]
    /// Deletes delivered entries whose rows were not rewritten since.
    func deleteOutboxEntries(_ entries: [OutboxEntry]) async throws

    // MARK: Schedules

    func schedule(id: String) async throws -> ScheduleRecord?
    func insertSchedule(_ schedule: ScheduleRecord) async throws
    /// Deletes a schedule; `false` if it did not exist.
    func deleteSchedule(id: String) async throws -> Bool
    func updateScheduleRun(id: String, lastRunAt: Int64, nextRunAt: Int64) async throws
    /// Schedules due at or before `time`, earliest first.
    func dueSchedules(at time: Int64, limit: Int) async throws -> [ScheduleRecord]
    func searchSchedules(tags: [String: String], after cursor: String?, limit: Int) async throws -> [ScheduleRecord]

    // MARK: Timers and maintenance

    /// The earliest promise timeout, task timeout or schedule run, if any.
    func nextDeadline() async throws -> Int64?
    /// Deletes everything (debug mode).
    func deleteAll() async throws
    /// Every promise, task, callback and listener, for `debug.snap` and invariant checks.
    func snapshot() async throws -> StoreSnapshot
    /// Counts for gauges (a default implementation counts a ``snapshot()``).
    func statistics() async throws -> StoreStatistics
}

/// The complete state of a store, for debugging and for tests that check invariants.
public struct StoreSnapshot: Sendable, Hashable {
    public var promises: [PromiseRecord]
    public var tasks: [TaskRow]
    /// `(awaited, awaiter, ready)`.
    public var callbacks: [Callback]
    public var listeners: [Listener]
    public var outbox: [OutboxEntry]
    public var schedules: [ScheduleRecord]

    public struct Callback: Sendable, Hashable {
        public var awaited: String
        public var awaiter: String
        public var ready: Bool

        public init(awaited: String, awaiter: String, ready: Bool) {
            self.awaited = awaited
            self.awaiter = awaiter
            self.ready = ready
        }
    }

    public struct Listener: Sendable, Hashable {
        public var promiseID: String
        public var address: String

        public init(promiseID: String, address: String) {
            self.promiseID = promiseID
            self.address = address
        }
    }

    public init(
        promises: [PromiseRecord],
        tasks: [TaskRow],
        callbacks: [Callback],
        listeners: [Listener],
        outbox: [OutboxEntry],
        schedules: [ScheduleRecord]
    ) {
        self.promises = promises
        self.tasks = tasks
        self.callbacks = callbacks
        self.listeners = listeners
        self.outbox = outbox
        self.schedules = schedules
    }
}

/// What waited for a promise when it settled: the awaiters of its callbacks (now ready) and its listeners'
/// addresses (now removed).
public struct SettlementWaiters: Sendable, Equatable {
    public var awaiters: [String]
    public var listeners: [String]

    public init(awaiters: [String], listeners: [String]) {
        self.awaiters = awaiters
        self.listeners = listeners
    }
}

extension StoreTransaction {
    public func insertPromiseIfAbsent(_ promise: PromiseRecord) async throws -> Bool {
        if try await self.promise(id: promise.id) != nil { return false }
        try await insertPromise(promise)
        return true
    }

    public func settlePromiseIfPending(
        id: String, state: PromiseState, value: Value, settledAt: Int64
    ) async throws -> ConditionalSettlement {
        guard let promise = try await promise(id: id) else { return .absent }
        guard promise.state == .pending, promise.timeoutAt > settledAt else { return .unchanged(promise) }
        let waiters = try await settlePromise(id: id, state: state, value: value, settledAt: settledAt)
        return .settled(promise, waiters)
    }
}
