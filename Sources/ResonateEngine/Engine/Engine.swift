// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Logging
import Metrics
public import ResonateProtocol
public import ServiceLifecycle
import Synchronization

/// The durable-promise engine: executes protocol operations against a ``Store``, fires timers at their
/// deadlines, and delivers outbox messages through a ``MessageSink``.
///
/// The HTTP server wraps one engine; the SDK's local mode embeds one in-process. Run it as a `Service` so its
/// timer and outbox loops run:
///
/// ```swift
/// let store = try SQLiteStore(location: .file("resonate.db"))
/// let engine = Engine(store: store)
/// engine.attach(sink)                       // where messages go
/// let reply = await engine.execute(.promiseGet(id: "wf"))
/// try await ServiceGroup(services: [engine], logger: logger).run()
/// ```
public final class Engine<S: Store>: Service, Sendable {
    public let store: S
    public let configuration: EngineConfiguration
    public let clock: any EngineClock
    let logger: Logger
    let timerSignal = DeadlineSignal()
    /// Wakes the outbox loop when a message is relayed or parked, or the first delivered row waits for deletion.
    let outboxSignal = DeadlineSignal()
    let outbox = Mutex(OutboxState())
    private let sink = Mutex<(any MessageSink)?>(nil)
    private let leases = LeaseCounts()
    private let timerLateness = Recorder(label: "resonate_timer_lateness_milliseconds")
    private let latestTimerLateness = Atomic<Int64>(0)
    /// Tasks to send again at once (``retryUnacquired(_:)``), taken by the timer loop.
    private let unacquiredTasks = Mutex<Set<TaskReference>>([])

    public init(
        store: S,
        configuration: EngineConfiguration = EngineConfiguration(),
        clock: any EngineClock = SystemClock(),
        logger: Logger = Logger(label: "resonate.engine")
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Sets where messages are delivered. Messages committed before a sink is attached stay in the outbox and
    /// are delivered when ``run()`` starts.
    public func attach(_ sink: any MessageSink) {
        self.sink.withLock { $0 = sink }
    }

    // MARK: Executing requests

    /// Executes one operation and returns its reply. Never throws: storage failures become status 500.
    ///
    /// Messages the operation causes are delivered before this returns.
    ///
    /// - Parameter debugTime: `head["resonate:debug_time"]`; replaces "now" when debug mode is on.
    public func execute(_ request: Request, debugTime: Int64? = nil) async -> Reply {
        let (reply, effects) = await execute(request, debugTime: debugTime, deferringEffects: true)
        publish(effects)
        return reply
    }

    /// Executes one operation and returns its reply together with its effects, which the caller must pass to
    /// ``publish(_:)``.
    ///
    /// The server publishes after writing the response, so a client never receives a message caused by its own
    /// request (say, the `unblock` of the promise it just fulfilled) before the response to that request.
    public func execute(
        _ request: Request,
        debugTime: Int64? = nil,
        deferringEffects: Bool
    ) async -> (Reply, Effects) {
        if request.kind.isDebug && !configuration.isDebugEnabled {
            return (Reply(status: 403, payload: .error("Debug operations are disabled")), .none)
        }
        do {
            try request.validate(rules: configuration.idRules)
        } catch {
            return (Reply(error), .none)
        }
        let fixedNow = configuration.isDebugEnabled ? debugTime : nil
        do {
            switch request {
            case .debugStart, .debugStop, .debugReset, .debugSnap, .debugTick:
                return (try await executeDebug(request, debugTime: fixedNow), .none)
            default:
                return try await run(request, at: fixedNow)
            }
        } catch {
            logger.error("storage failure", metadata: ["kind": "\(request.kind.rawValue)", "error": "\(error)"])
            return (Reply(status: 500, payload: .error("Internal error: Storage error: \(error)")), .none)
        }
    }

    private func run(_ request: Request, at fixedNow: Int64?) async throws -> (Reply, Effects) {
        try await transition(at: fixedNow, readOnly: request.kind.isReadOnly, promiseIDs: Self.promiseIDs(of: request))
        {
            try await $0.apply(request)
        }
    }

    /// The promises a request reads first, for ``Store/write(promiseIDs:_:)``.
    static func promiseIDs(of request: Request) -> [String] {
        switch request {
        case .promiseCreate(let create): [create.id]
        case .promiseSettle(let settle): [settle.id]
        case .promiseRegisterCallback(let awaited, let awaiter): [awaited, awaiter]
        case .promiseRegisterListener(let awaited, _): [awaited]
        case .taskAcquire(let acquire): [acquire.id]
        case .taskFulfill(let fulfill): [fulfill.id]
        case .taskFence(let fence):
            switch fence.action {
            case .create(let create): [fence.id, create.id]
            case .settle(let settle): [fence.id, settle.id]
            }
        default: []
        }
    }

    /// Runs `body` as one transition inside a store transaction (a write unless `readOnly`) at `time` (now if
    /// `nil`); returns its result and the effects it collected, not yet published.
    func transition<Result: Sendable>(
        at time: Int64? = nil,
        readOnly: Bool = false,
        promiseIDs: [String] = [],
        _ body: @escaping @Sendable (Transition<S.Transaction>) async throws -> Result
    ) async throws -> (Result, Effects) {
        let retryTimeout = configuration.retryTimeoutMilliseconds
        let idRules = configuration.idRules
        let clock = self.clock
        let work: @Sendable (S.Transaction) async throws -> (Result, Effects) = { transaction in
            let effects = EffectsCollector()
            let transition = Transition(
                transaction: transaction,
                now: time ?? clock.now.milliseconds,
                retryTimeout: retryTimeout,
                idRules: idRules,
                effects: effects
            )
            let result = try await body(transition)
            return (result, effects.effects)
        }
        return readOnly ? try await store.read(work) : try await store.write(promiseIDs: promiseIDs, work)
    }

    /// Runs one timer pass at `time` (now if `nil`) and publishes its effects.
    @discardableResult
    public func runTimerPass(at time: Int64? = nil) async throws -> TimerPassResult {
        let batchSize = configuration.timerBatchSize
        let (result, effects) = try await transition(at: time) { try await $0.processTimers(batchSize: batchSize) }
        for lateness in result.promiseLateness { timerLateness.record(lateness) }
        if let latest = result.promiseLateness.max() { latestTimerLateness.store(latest, ordering: .relaxed) }
        publish(effects)
        return result
    }

    /// The stored task of promise `id`, with its timer (the lease's expiry while acquired, the next retry while
    /// pending), which the protocol's task record does not show.
    public func storedTask(id: String) async throws -> TaskRow? {
        try await store.read { transaction in try await transaction.task(id: id) }
    }

    /// The stored promise `id`, if there is one.
    public func promise(id: String) async throws -> PromiseRecord? {
        try await store.read { transaction in try await transaction.promise(id: id) }
    }

    /// Whether the store answers (for a readiness probe).
    public func isReady() async -> Bool {
        await store.isReady()
    }

    /// The earliest promise timeout, task timeout or schedule run in the store.
    public func nextDeadline() async throws -> Int64? {
        try await store.read { transaction in try await transaction.nextDeadline() }
    }

    // MARK: Delivering messages

    /// Hands committed messages to the sink (parking those for disconnected poll groups) and wakes the timer for
    /// new deadlines.
    public func publish(_ effects: Effects) {
        leases.apply(begun: effects.leasesBegun, ended: effects.leasesEnded)
        if let deadline = effects.earliestDeadline { timerSignal.hint(deadline) }
        deliver(effects.deliveries)
    }

    func deliver(_ deliveries: [Delivery]) {
        guard !deliveries.isEmpty, let sink = sink.withLock({ $0 }) else { return }
        if outbox.withLock({ $0.isPaused }) { return }
        let now = clock.now.milliseconds
        for delivery in deliveries {
            guard let address = try? Address(parsing: delivery.entry.address) else {
                // Stored before addresses were checked, or by another build: it can never be delivered.
                logger.warning(
                    "dropping a message with an unreadable address",
                    metadata: ["address": "\(delivery.entry.address)", "message": "\(delivery.message.kind)"])
                markDelivered(delivery.entry)
                continue
            }
            switch sink.deliver(delivery.message, to: address) {
            case .delivered, .dropped:
                markDelivered(delivery.entry)
            case .relayed:
                outbox.withLock { $0.relayed(delivery, at: now) }
                outboxSignal.hint(now + configuration.relayAcknowledgementTimeout.wholeMilliseconds)
            case .unreachable:
                let group: String
                switch address {
                case .unicast(let name, _), .anycast(let name, _): group = Address.normalizedGroup(name)
                case .http: group = ""
                }
                outbox.withLock { $0.park(delivery, group: group, at: now) }
                outboxSignal.hint(now + configuration.parkedMessageLifetime.wholeMilliseconds)
            }
        }
    }

    /// Schedules the row of a delivered message for deletion.
    private func markDelivered(_ entry: OutboxEntry) {
        updateOutbox { $0.markDelivered(entry) }
    }

    /// Applies `change` to the outbox state, and wakes the outbox loop when it leaves delivered rows to delete where
    /// there were none (the first row of a batch; later ones are deleted with it).
    private func updateOutbox<Result: Sendable>(_ change: (inout OutboxState) -> Result) -> Result {
        let (result, firstRow) = outbox.withLock { state in
            let hadRows = state.hasDeliveredRows
            let result = change(&state)
            return (result, !hadRows && state.hasDeliveredRows)
        }
        if firstRow { outboxSignal.hint(.min) }
        return result
    }

    /// Delivers the messages parked for `group` because nobody was connected; call when a process of the group
    /// connects.
    public func connectionOpened(group: String) {
        let parked = outbox.withLock { $0.unpark(group: Address.normalizedGroup(group)) }
        deliver(parked)
    }

    /// Sends `execute` again, at once, for each of `tasks` still pending at its version, instead of at its retry
    /// time; tasks acquired, settled or dispatched again since are left alone.
    ///
    /// For the messages handed to a connection that ended before its process acquired their tasks: the process
    /// stopped or died with them unread, or still queued, and another process of the group can take them now.
    /// Returns at once; the timer loop sends them.
    public func retryUnacquired(_ tasks: [TaskReference]) {
        guard !tasks.isEmpty else { return }
        unacquiredTasks.withLock { $0.formUnion(tasks) }
        timerSignal.hint(.min)
    }

    private func runUnacquiredRetries(_ tasks: [TaskReference]) async throws {
        let batchSize = max(configuration.timerBatchSize, 1)
        var retried = 0
        for start in stride(from: 0, to: tasks.count, by: batchSize) {
            let batch = Array(tasks[start..<min(start + batchSize, tasks.count)])
            let (count, effects) = try await transition { try await $0.retryUnacquired(batch) }
            publish(effects)
            retried += count
        }
        logger.debug(
            "sent again the unacquired tasks of a connection that ended",
            metadata: ["tasks": "\(tasks.count)", "pending": "\(retried)"])
    }

    /// Applies another replica's acknowledgement of a message relayed to it (see ``DeliveryOutcome/relayed``):
    /// `delivered` lets its row go; otherwise (the replica had no connection for it) it is routed again at once.
    public func relayAcknowledged(address: String, content: OutboxEntry.Content, delivered: Bool) {
        let maximumAttempts = configuration.maximumRelayAttempts
        let action = updateOutbox {
            $0.acknowledge(address: address, content: content, delivered: delivered, maximumAttempts: maximumAttempts)
        }
        switch action {
        case .routeAgain(let delivery):
            deliver([delivery])
        case .givenUp:
            logger.warning(
                "a relayed message found no connection after every attempt; left to the task's retry timer",
                metadata: ["address": "\(address)"])
        case .delete, .none:
            break
        }
    }

    /// How late the latest timer pass that timed out promises fired the latest of them.
    public var recentTimerLateness: Duration {
        .milliseconds(latestTimerLateness.load(ordering: .relaxed))
    }

    /// The number of messages relayed to other replicas and not yet acknowledged.
    public var unacknowledgedRelayCount: Int {
        outbox.withLock { $0.relayedCount }
    }

    /// Routes again the relayed messages whose acknowledgement is overdue.
    func routeUnacknowledgedRelays() {
        let timeout = configuration.relayAcknowledgementTimeout.wholeMilliseconds
        let maximumAttempts = configuration.maximumRelayAttempts
        let now = clock.now.milliseconds
        let (overdue, givenUp) = outbox.withLock {
            $0.takeUnacknowledged(now: now, timeout: timeout, maximumAttempts: maximumAttempts)
        }
        if givenUp > 0 {
            logger.warning(
                "relayed messages never acknowledged; left to the tasks' retry timers",
                metadata: ["count": "\(givenUp)"])
        }
        if !overdue.isEmpty {
            logger.debug("routing unacknowledged relays again", metadata: ["count": "\(overdue.count)"])
            deliver(overdue)
        }
    }

    /// Reloads every queued message from the store and delivers it (startup recovery and `debug.stop`).
    func redeliverOutbox() async throws {
        let deliveries: [Delivery] = try await store.read { transaction in
            var deliveries: [Delivery] = []
            for entry in try await transaction.outboxEntries(limit: Int.max) {
                switch entry.content {
                case .execute(let taskID, let version):
                    deliveries.append(Delivery(entry: entry, message: .execute(taskID: taskID, version: version)))
                case .unblock(let promiseID):
                    if let promise = try await transaction.promise(id: promiseID) {
                        deliveries.append(Delivery(entry: entry, message: .unblock(promise: promise)))
                    }
                }
            }
            return deliveries
        }
        deliver(deliveries)
    }

    /// The number of tasks `pid` holds leased (as far as this engine has seen; a dispatch hint).
    public func leasedTaskCount(process pid: String) -> Int {
        leases.count(pid)
    }

    /// Rebuilds the lease counts from the store.
    func loadLeaseCounts() async throws {
        let leased: [String: Set<String>] = try await store.read { transaction in
            var leased: [String: Set<String>] = [:]
            var cursor: String?
            while true {
                let tasks = try await transaction.searchTasks(state: .acquired, after: cursor, limit: 1000)
                for task in tasks {
                    guard let pid = task.pid, try await transaction.promise(id: task.id)?.isTimer == false else {
                        continue
                    }
                    leased[pid, default: []].insert(task.id)
                }
                guard tasks.count == 1000 else { return leased }
                cursor = tasks.last?.id
            }
        }
        leases.replace(with: leased)
    }

    /// The number of messages waiting for a connection.
    public var parkedMessageCount: Int {
        outbox.withLock { $0.parkedCount }
    }

    /// Promises and tasks by state, queued messages and schedules, as stored now.
    public func statistics() async throws -> StoreStatistics {
        try await store.read { transaction in try await transaction.statistics() }
    }

    // MARK: Service

    /// Runs the timer and outbox loops until graceful shutdown.
    public func run() async throws {
        do {
            try await loadLeaseCounts()
            try await redeliverOutbox()
        } catch {
            logger.error("cannot recover the outbox", metadata: ["error": "\(error)"])
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.runTimerLoop() }
                group.addTask { await self.runOutboxLoop() }
                await group.waitForAll()
            }
        }
        await flushDeliveredRows()
    }

    private func runTimerLoop() async {
        let maximumWait = max(configuration.maximumTimerWait.wholeMilliseconds, 1)
        while !Task.isCancelled {
            if outbox.withLock({ $0.isPaused }) {
                await timerSignal.wait(until: clock.now.milliseconds + 60_000, clock: clock)
                continue
            }
            do {
                let unacquired = unacquiredTasks.withLock { tasks in
                    defer { tasks.removeAll() }
                    return Array(tasks)
                }
                if !unacquired.isEmpty {
                    try await runUnacquiredRetries(unacquired)
                    continue
                }
                let now = clock.now.milliseconds
                if let next = try await nextDeadline(), next <= now {
                    var result = try await runTimerPass()
                    while result.hasMore && !Task.isCancelled {
                        result = try await runTimerPass()
                    }
                    continue
                } else {
                    let next = try await nextDeadline()
                    await timerSignal.wait(until: min(next ?? Int64.max, now + maximumWait), clock: clock)
                }
            } catch {
                if Task.isCancelled { return }
                logger.error("timer pass failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Expires parked messages and routes again relays whose acknowledgement is overdue, each when it falls due,
    /// and deletes the rows of delivered messages. In between it sleeps on ``outboxSignal``, so an idle server
    /// spends no CPU here.
    private func runOutboxLoop() async {
        let lifetime = configuration.parkedMessageLifetime.wholeMilliseconds
        let relayTimeout = configuration.relayAcknowledgementTimeout.wholeMilliseconds
        while !Task.isCancelled {
            let now = clock.now.milliseconds
            let (hasRows, deadline) = outbox.withLock {
                ($0.hasDeliveredRows, $0.nextDeadline(relayTimeout: relayTimeout, parkedLifetime: lifetime))
            }
            if let deadline, deadline <= now {
                _ = outbox.withLock { $0.expireParked(now: now, lifetime: lifetime) }
                routeUnacknowledgedRelays()
            } else if hasRows {
                // The first row waits for others so that one write deletes many. Real time, not the engine's
                // clock: this batches writes and means nothing to the protocol.
                try? await Task.sleep(for: Self.deliveredRowsDelay)
                await flushDeliveredRows()
            } else {
                await outboxSignal.wait(until: deadline ?? now + Self.idleOutboxWait, clock: clock)
            }
        }
    }

    /// How long the first delivered row waits for others before their deletion is written.
    static var deliveredRowsDelay: Duration { .milliseconds(50) }
    /// The longest the outbox loop sleeps with nothing due (milliseconds); new work wakes it earlier.
    static var idleOutboxWait: Int64 { 3_600_000 }

    /// Deletes the outbox rows of delivered messages; they ride along with other writes in a group commit.
    func flushDeliveredRows() async {
        let rows = outbox.withLock { $0.takeDeliveredRows() }
        guard !rows.isEmpty else { return }
        do {
            try await store.write { transaction in try await transaction.deleteOutboxEntries(rows) }
        } catch {
            logger.warning("cannot delete delivered outbox rows", metadata: ["error": "\(error)"])
        }
    }

}

extension Engine {
    /// Returns every leased task to pending and sends its `execute` again.
    ///
    /// Only for a store this process owns exclusively (local mode): there, a lease found at start-up belongs to a
    /// previous run of the process that is gone, and waiting for it to expire would only delay recovery.
    public func releaseAllLeases() async throws {
        let (_, effects) = try await transition { transition in
            var cursor: String?
            while true {
                let tasks = try await transition.transaction.searchTasks(state: .acquired, after: cursor, limit: 500)
                for var task in tasks { try await transition.makePending(&task) }
                guard tasks.count == 500 else { break }
                cursor = tasks.last?.id
            }
        }
        publish(effects)
    }
}
