// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The bookkeeping of one pass over a task's function, as a state machine: the jobs of the pass (the root body
/// and the concurrent local calls it starts) and the task runner feed it events, and it answers with what to do.
/// ``Pass`` holds it behind a lock and performs the answers (resuming continuations).
///
/// A job that awaits a remote promise (a call, a sleep, a latent promise) which has not settled *waits* in the
/// pass instead of unwinding. Once every job waits — on a remote promise, or on a local call that itself waits —
/// the pass is **quiescent**: the runner suspends the task on the server and **parks** the pass, keeping it in
/// memory. When the task resumes on this process the runner delivers the settled promises and the waiting jobs
/// carry on from where they stopped, without replaying from the top. If the pass is **abandoned** instead (evicted
/// from memory, shutdown, the resume went to another process), every waiting job unwinds with ``Suspension`` and
/// the next run of the task replays from its checkpoints, as any official SDK does.
struct PassState {
    typealias WaiterID = Int

    enum Phase: Equatable {
        /// Jobs run and may make durable calls.
        case running
        /// Every job waits; the runner is suspending the task.
        case quiescent
        /// The task is suspended on the server; the pass waits in memory for its resume.
        case parked
        /// The runner gave the pass up: waiting jobs unwind and no durable call is allowed any more.
        case abandoned
        /// Its only job holds a sleep as data (``releaseForSleep(_:until:historyLimit:)``): the job unwinds, the task
        /// keeps its lease, and a new pass replays from the records when the sleep ends.
        case sleeping(HeldSleep)
    }

    /// A sleep a pass unwound for, to be replayed from its records once it ends.
    struct HeldSleep: Equatable, Sendable {
        /// The sleep's promise.
        let id: String
        /// When it ends, in milliseconds.
        let wakeAt: Int64
    }

    /// What the task runner learns from the pass.
    enum RunnerEvent: Equatable {
        /// Every job waits: suspend the task on these promises (every remote promise still pending, awaited or not).
        case quiescent(awaiting: [String])
        /// Every job has finished.
        case finished
    }

    /// The answer to a job that awaits a remote promise.
    enum WaitDecision {
        /// The promise has settled: carry on with its record.
        case settled(PromiseRecord)
        /// Wait until the runner delivers the record (or the pass unwinds); notify the runner if there is an event.
        case wait(WaiterID, notify: RunnerEvent?)
        /// Throw this error: the pass cannot go on.
        case unwind(any Error)
    }

    /// The lease version durable calls are fenced with; a resume on this process moves it on.
    private(set) var version: Int64
    private(set) var phase = Phase.running
    private(set) var records: [String: PromiseRecord]
    /// Remote promises (calls, sleeps, latent promises) created or found pending, in creation order.
    private(set) var pendingRemote: [String] = []
    /// A platform failure: the pass stops and the task is released.
    private(set) var failure: (any Error)?
    /// A determinism violation: the pass ends by rejecting the task's promise with it.
    private(set) var fatal: (any Error)?
    private var activeJobs = 0
    /// Jobs waiting on a remote promise, by promise id, in the order they started waiting.
    private var remoteWaiters: [String: [WaiterID]] = [:]
    private var remoteWaiting = 0
    /// Jobs waiting on a local call that has not finished.
    private var localWaiting = 0
    private var nextWaiter: WaiterID = 0

    /// About how many bytes the records take (``PromiseRecord/approximateBytes``), kept as they change so that
    /// sizing a pass at each park does not cost a walk over a long execution's history.
    private(set) var recordBytes = 0

    init(version: Int64, preload: [PromiseRecord]) {
        self.version = version
        self.records = [:]
        remember(preload)
    }

    // MARK: Jobs

    mutating func jobStarted() {
        activeJobs += 1
    }

    mutating func jobFinished() -> RunnerEvent? {
        activeJobs -= 1
        if activeJobs == 0 { return .finished }
        return quiescenceCheck()
    }

    /// A job awaits the remote promise `id`.
    mutating func wait(for id: String) -> WaitDecision {
        if let error = unwindError { return .unwind(error) }
        if let record = records[id], record.state.isSettled { return .settled(record) }
        nextWaiter += 1
        remoteWaiters[id, default: []].append(nextWaiter)
        remoteWaiting += 1
        return .wait(nextWaiter, notify: quiescenceCheck())
    }

    /// A job awaits a local call that has not finished; `localWaitEnded` follows when that call finishes.
    mutating func localWaitBegan() -> RunnerEvent? {
        localWaiting += 1
        return quiescenceCheck()
    }

    mutating func localWaitEnded(count: Int) {
        localWaiting -= count
    }

    /// Every job waits, at least one of them on a remote promise (a local call is waited for only by jobs of this
    /// pass, so waits on local calls alone always end).
    private mutating func quiescenceCheck() -> RunnerEvent? {
        guard phase == .running, remoteWaiting > 0, remoteWaiting + localWaiting == activeJobs else { return nil }
        phase = .quiescent
        return .quiescent(awaiting: pendingRemote)
    }

    // MARK: Records

    /// Notes a remote promise created (or found) pending.
    mutating func addPendingRemote(_ id: String) {
        if !pendingRemote.contains(id) { pendingRemote.append(id) }
    }

    /// Remembers records; a settled record is never replaced by an older pending one.
    mutating func remember(_ new: some Sequence<PromiseRecord>) {
        for record in new {
            if let known = records[record.id], known.state.isSettled, !record.state.isSettled { continue }
            recordBytes +=
                record.approximateBytes - (records.updateValue(record, forKey: record.id)?.approximateBytes ?? 0)
        }
    }

    /// Records the runner fetched while the pass was quiescent (the server answered a suspend with 300): jobs
    /// waiting on the settled ones carry on; if none settled the runner is asked to suspend again.
    mutating func received(_ new: [PromiseRecord]) -> (resume: [(WaiterID, PromiseRecord)], notify: RunnerEvent?) {
        let resume = deliver(new)
        guard phase == .quiescent else { return (resume, nil) }
        if resume.isEmpty { return ([], .quiescent(awaiting: pendingRemote)) }
        phase = .running
        return (resume, nil)
    }

    private mutating func deliver(_ new: [PromiseRecord]) -> [(WaiterID, PromiseRecord)] {
        remember(new)
        var resume: [(WaiterID, PromiseRecord)] = []
        for record in new where record.state.isSettled {
            pendingRemote.removeAll { $0 == record.id }
            for waiter in remoteWaiters.removeValue(forKey: record.id) ?? [] { resume.append((waiter, record)) }
        }
        remoteWaiting -= resume.count
        return resume
    }

    // MARK: Suspending and resuming

    /// The task is suspended on the server and the pass stays in memory.
    mutating func park() {
        if phase == .quiescent { phase = .parked }
    }

    /// The task resumed on this process with lease `version`; `new` holds the awaited promises' records. Returns
    /// `nil` if the pass is not parked any more (it was abandoned): the runner must replay instead.
    mutating func resume(
        version: Int64, with new: [PromiseRecord]
    ) -> (resume: [(WaiterID, PromiseRecord)], notify: RunnerEvent?)? {
        guard phase == .parked else { return nil }
        self.version = version
        phase = .quiescent
        return received(new)
    }

    /// Gives the pass up; returns every waiting job, each to unwind with ``unwindError``.
    mutating func abandon() -> [WaiterID] {
        if case .sleeping = phase { return [] }
        phase = .abandoned
        return takeAllWaiters()
    }

    /// The pass's only job is about to hold the sleep `id` until `wakeAt`: if nothing else is in progress (no other
    /// job, no wait, no pending remote promise, no failure) and the history has at most `historyLimit` records,
    /// the pass ends here instead and the runner replays it from these records when the sleep ends; `true` then,
    /// and the job unwinds with ``unwindError``. Replaying a short history costs less than keeping the waiting
    /// job's task and frames for the length of the sleep.
    mutating func releaseForSleep(_ id: String, until wakeAt: Int64, historyLimit: Int) -> Bool {
        guard phase == .running, activeJobs == 1, remoteWaiting == 0, localWaiting == 0, pendingRemote.isEmpty,
            failure == nil, fatal == nil, records.count <= historyLimit
        else { return false }
        phase = .sleeping(HeldSleep(id: id, wakeAt: wakeAt))
        return true
    }

    /// The sleep the pass ended for, if it did.
    var heldSleep: HeldSleep? {
        if case .sleeping(let sleep) = phase { return sleep }
        return nil
    }

    /// Records a platform failure; returns the waiting jobs, which unwind with it.
    mutating func fail(_ error: any Error) -> [WaiterID] {
        if failure == nil { failure = error }
        return takeAllWaiters()
    }

    /// Records a determinism violation; returns the waiting jobs, which unwind with it.
    mutating func abort(_ error: any Error) -> [WaiterID] {
        if fatal == nil { fatal = error }
        return takeAllWaiters()
    }

    private mutating func takeAllWaiters() -> [WaiterID] {
        let waiters = remoteWaiters.values.flatMap { $0 }.sorted()
        remoteWaiters = [:]
        remoteWaiting = 0
        return waiters
    }

    /// Why no further durable call can be made, if that is so.
    var unwindError: (any Error)? {
        if let fatal { return fatal }
        if let failure { return PlatformFailure(underlying: failure) }
        if isAbandoned { return Suspension() }
        return nil
    }

    /// Whether the pass was abandoned (or ended for a sleep): a function unwinding now must not record its error as
    /// its outcome.
    var isAbandoned: Bool {
        switch phase {
        case .abandoned, .sleeping: true
        case .running, .quiescent, .parked: false
        }
    }
}

extension PromiseRecord {
    /// About how much memory the record takes: a fixed part plus its id, payloads and tags.
    var approximateBytes: Int {
        256 + id.utf8.count + (param.data?.utf8.count ?? 0) + (value.data?.utf8.count ?? 0)
            + tags.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 32 }
    }
}
