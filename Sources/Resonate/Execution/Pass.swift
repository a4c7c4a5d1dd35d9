// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// One pass over a task's function: the root body and the local calls it starts, run from the top once and kept
/// in memory across suspensions while this process holds the execution (see ``PassState``).
///
/// Every durable operation goes through the pass, fenced with the task's current version. Local calls started
/// with `beginRun` run as child tasks of the pass's task group, so nothing outlives the pass.
final class Pass: Sendable {
    typealias Job = @Sendable () async -> Void

    /// How a parked pass's wait ends.
    enum ParkOutcome: Sendable, Equatable {
        /// The task resumed on this process: go on under this lease version.
        case resumed(version: Int64)
        /// The pass was given up; its jobs unwind.
        case abandoned
    }

    let taskID: String
    /// The execution the pass runs: the task's own promise, or for a cleanup pass the canceled execution.
    let executionID: String
    /// For a cleanup pass, when the execution was canceled (see ``Pass+Cancellation``); `nil` otherwise.
    let canceledAt: Int64?
    let runtime: Runtime
    private let state: Mutex<Shell>
    /// Local steps whose checkpoints are written when they end, by id (see ``deferCheckpoint(_:)``).
    let deferredCheckpoints = Mutex<[String: PromiseCreate]>([:])
    private let jobs: AsyncStream<Job>
    private let jobsContinuation: AsyncStream<Job>.Continuation

    /// A runner to wake with an event, taken out of the lock to be resumed outside it.
    private typealias RunnerWakeup = (
        runner: CheckedContinuation<PassState.RunnerEvent, Never>, event: PassState.RunnerEvent
    )
    /// A waiting job to resume with a settled record.
    private typealias WaiterWakeup = (waiter: CheckedContinuation<PromiseRecord, any Error>, record: PromiseRecord)

    /// The state machine and the continuations its answers resume.
    private struct Shell {
        var machine: PassState
        var waiters: [PassState.WaiterID: CheckedContinuation<PromiseRecord, any Error>] = [:]
        var events: [PassState.RunnerEvent] = []
        var runner: CheckedContinuation<PassState.RunnerEvent, Never>?
        var parked: CheckedContinuation<ParkOutcome, Never>?
        var parkOutcome: ParkOutcome?

        /// Hands an event to the runner, now if it waits for one.
        mutating func post(_ event: PassState.RunnerEvent?) -> RunnerWakeup? {
            guard let event else { return nil }
            if let runner {
                self.runner = nil
                return (runner, event)
            }
            events.append(event)
            return nil
        }

        mutating func takeWaiters(_ ids: [PassState.WaiterID]) -> [CheckedContinuation<PromiseRecord, any Error>] {
            ids.compactMap { waiters.removeValue(forKey: $0) }
        }

        /// The waiting jobs the machine resumes, each with its record.
        mutating func takeWaiters(_ resume: [(PassState.WaiterID, PromiseRecord)]) -> [WaiterWakeup] {
            resume.compactMap { id, record in waiters.removeValue(forKey: id).map { ($0, record) } }
        }

        /// Ends the park: the waiting runner if there is one, else the outcome is kept for its next park.
        mutating func endPark(_ outcome: ParkOutcome) -> CheckedContinuation<ParkOutcome, Never>? {
            if let parked {
                self.parked = nil
                return parked
            }
            parkOutcome = outcome
            return nil
        }
    }

    init(
        taskID: String,
        version: Int64,
        preload: [PromiseRecord],
        runtime: Runtime,
        cleanupOf canceled: PromiseRecord? = nil
    ) {
        self.taskID = taskID
        self.executionID = canceled?.id ?? taskID
        self.canceledAt = canceled.map { $0.settledAt ?? 0 }
        self.runtime = runtime
        state = Mutex(Shell(machine: PassState(version: version, preload: preload)))
        (jobs, jobsContinuation) = AsyncStream.makeStream(of: Job.self)
    }

    var version: Int64 { state.withLock { $0.machine.version } }

    // MARK: Running

    /// Runs `root` and every job it spawns; returns when all of them have finished.
    func run(_ root: @escaping Job) async {
        spawn(root)
        await withTaskGroup(of: Void.self) { group in
            for await job in jobs {
                group.addTask {
                    await job()
                    self.jobFinished()
                }
            }
        }
    }

    /// Starts a job in the pass's task group.
    func spawn(_ job: @escaping Job) {
        state.withLock { $0.machine.jobStarted() }
        jobsContinuation.yield(job)
    }

    private func jobFinished() {
        let (post, finished) = state.withLock { shell in
            let event = shell.machine.jobFinished()
            return (shell.post(event), event == .finished)
        }
        if finished { jobsContinuation.finish() }
        if let (runner, event) = post { runner.resume(returning: event) }
    }

    /// The next thing the runner must act on: every job waits, or every job has finished.
    func nextEvent() async -> PassState.RunnerEvent {
        await withCheckedContinuation { (continuation: CheckedContinuation<PassState.RunnerEvent, Never>) in
            let ready = state.withLock { shell -> PassState.RunnerEvent? in
                if !shell.events.isEmpty { return shell.events.removeFirst() }
                shell.runner = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Decides the pass's outcome once every job has finished.
    func outcome(rootResult: Result<Value, any Error>?) -> PassOutcome {
        let (failure, fatal, abandoned, pending, sleeping) = state.withLock { shell in
            let machine = shell.machine
            return (
                machine.failure, machine.fatal, machine.isAbandoned, machine.pendingRemote,
                machine.heldSleep.map { ($0, Array(machine.records.values)) }
            )
        }
        if let failure { return .failed(failure) }
        if let fatal { return .completed(resolved: false, value: runtime.errors.encode(fatal)) }
        if let (sleep, history) = sleeping { return .sleeping(sleep, history: history) }
        if abandoned { return .abandoned }
        // A function cannot finish while work it started is still pending (structured concurrency): whether it
        // awaited that work or not, it suspends until all of it is done.
        if !pending.isEmpty { return .suspended(awaiting: pending) }
        switch rootResult {
        case .success(let value)?: return .completed(resolved: true, value: value)
        case .failure(let error)?: return .completed(resolved: false, value: runtime.errors.encode(error))
        case nil: return .failed(ResonateError(.server, "the function ended without a result"))
        }
    }

    // MARK: Waiting

    /// Waits until the remote promise `id` has settled and returns its record; throws if the pass unwinds first.
    func wait(for id: String) async throws -> PromiseRecord {
        // A cleanup pass does not wait for what the canceled execution started.
        if observesCancellation { throw CancellationError() }
        return try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<PromiseRecord, any Error>) in
            let (decision, post) = state.withLock {
                shell -> (PassState.WaitDecision, RunnerWakeup?) in
                let decision = shell.machine.wait(for: id)
                guard case .wait(let waiter, let event) = decision else { return (decision, nil) }
                shell.waiters[waiter] = continuation
                return (decision, shell.post(event))
            }
            if let (runner, event) = post { runner.resume(returning: event) }
            switch decision {
            case .settled(let record): continuation.resume(returning: record)
            case .unwind(let error): continuation.resume(throwing: error)
            case .wait: break
            }
        }
    }

    /// A job begins waiting for a local call of this pass.
    func localWaitBegan() {
        let post = state.withLock { shell in shell.post(shell.machine.localWaitBegan()) }
        if let (runner, event) = post { runner.resume(returning: event) }
    }

    /// A local call finished, ending the waits of `count` jobs.
    func localWaitEnded(count: Int) {
        guard count > 0 else { return }
        state.withLock { $0.machine.localWaitEnded(count: count) }
    }

    /// Delivers records the runner fetched while the pass was quiescent.
    func received(_ records: [PromiseRecord]) {
        let (waiters, post) = state.withLock { shell in
            let (resume, event) = shell.machine.received(records)
            return (shell.takeWaiters(resume), shell.post(event))
        }
        for (waiter, record) in waiters { waiter.resume(returning: record) }
        if let (runner, event) = post { runner.resume(returning: event) }
    }

    // MARK: Parking

    /// The task is suspended on the server: from now on a resume may continue the pass (call before making the
    /// pass findable by resumes, then ``waitWhileParked()``).
    func markParked() {
        state.withLock { $0.machine.park() }
    }

    /// Waits in memory until the task resumes here or the pass is abandoned.
    func waitWhileParked() async -> ParkOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<ParkOutcome, Never>) in
            let ready = state.withLock { shell -> ParkOutcome? in
                if let outcome = shell.parkOutcome {
                    shell.parkOutcome = nil
                    return outcome
                }
                shell.parked = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Continues a parked pass under lease `version` with the awaited promises' records; `false` if the pass was
    /// abandoned meanwhile (the caller replays instead).
    func resume(version: Int64, with records: [PromiseRecord]) -> Bool {
        let resumed = state.withLock {
            shell -> (CheckedContinuation<ParkOutcome, Never>?, [WaiterWakeup], RunnerWakeup?)? in
            guard let (resume, event) = shell.machine.resume(version: version, with: records) else { return nil }
            let waiters = shell.takeWaiters(resume)
            let post = shell.post(event)
            return (shell.endPark(.resumed(version: version)), waiters, post)
        }
        guard let (parked, waiters, post) = resumed else { return false }
        parked?.resume(returning: .resumed(version: version))
        for (waiter, record) in waiters { waiter.resume(returning: record) }
        if let (runner, event) = post { runner.resume(returning: event) }
        return true
    }

    /// Ends the pass for the sleep `id` its only job is about to hold until `wakeAt`, if the pass can be replayed
    /// from memory instead (see ``PassState/releaseForSleep(_:until:historyLimit:)``); the job then throws
    /// ``Suspension``. Not while a step's checkpoint is deferred: it exists only in this pass.
    func releaseForSleep(_ id: String, until wakeAt: Int64) -> Bool {
        guard deferredCheckpoints.withLock({ $0.isEmpty }) else { return false }
        let limit = runtime.tasks.heldSleepHistoryLimit
        return state.withLock { $0.machine.releaseForSleep(id, until: wakeAt, historyLimit: limit) }
    }

    /// Gives the pass up: its waiting jobs unwind with ``Suspension`` and a parked runner stops waiting.
    func abandon() {
        let (waiters, parked) = state.withLock { shell in
            (shell.takeWaiters(shell.machine.abandon()), shell.endPark(.abandoned))
        }
        parked?.resume(returning: .abandoned)
        for waiter in waiters { waiter.resume(throwing: Suspension()) }
    }

    // MARK: State

    /// Throws if the pass can no longer make durable calls: it failed, diverged or was abandoned.
    func checkActive() throws {
        if let error = state.withLock({ $0.machine.unwindError }) { throw error }
    }

    /// Ends the pass with a rejection of the task's promise (a replay diverged from its history).
    func abort(_ error: any Error) -> any Error {
        let waiters = state.withLock { shell in shell.takeWaiters(shell.machine.abort(error)) }
        for waiter in waiters { waiter.resume(throwing: error) }
        return error
    }

    /// Whether the pass was abandoned: a function unwinding now must not record its error as its outcome.
    var isAbandoned: Bool { state.withLock { $0.machine.isAbandoned } }

    /// About how much memory the pass holds: a fixed part for its suspended tasks and continuations, plus the
    /// promise records it has seen (ids, payloads, tags).
    var approximateBytes: Int {
        Self.baseBytes + state.withLock { $0.machine.recordBytes }
    }

    /// The memory of a parked pass apart from its records: a few suspended tasks and their frames.
    static let baseBytes = 16 * 1024

    /// The remote promises created or found pending and not known to have settled.
    var pendingRemote: [String] { state.withLock { $0.machine.pendingRemote } }

    func addPendingRemote(_ id: String) {
        state.withLock { $0.machine.addPendingRemote(id) }
    }

    func cached(_ id: String) -> PromiseRecord? {
        state.withLock { $0.machine.records[id] }
    }

    func remember(_ records: [PromiseRecord]) {
        state.withLock { $0.machine.remember(records) }
    }

    // MARK: Fenced operations

    /// Creates a promise under the lease, or returns the record already known for its id.
    func create(_ create: PromiseCreate) async throws -> PromiseRecord {
        if let parent = create.tags[Tag.parent], let checkpoint = takeDeferredCheckpoint(parent) {
            // A step whose checkpoint was deferred makes a durable call: its promise must exist before its
            // children do (a cancellation finds descendants through their parents).
            _ = try await self.create(checkpoint)
        }
        if let known = cached(create.id) { return known }
        try checkActive()
        if observesCancellation { return try await recordedCall(create.id) }
        let outcome = try await fence(.create(create))
        guard let promise = outcome.promise else {
            throw fail(ResonateError(.server, "creating \(create.id) returned no promise"))
        }
        return promise
    }

    /// Settles a promise under the lease.
    func settle(_ id: String, state: PromiseState, value: Value) async throws -> PromiseRecord {
        try checkActive()
        let outcome = try await fence(.settle(PromiseSettle(id: id, state: state, value: value)))
        guard let promise = outcome.promise else {
            throw fail(ResonateError(.notFound, "settling \(id): the promise does not exist"))
        }
        return promise
    }

    func fence(_ action: TaskFence.Action) async throws -> FenceOutcome {
        let reply: Reply
        do {
            var fence = TaskFence(id: taskID, version: version, action: action)
            // The pass learns every record it needs from its own calls; the branch preload would be n records per
            // fence (see `Request.preloadHeadField`).
            fence.omitsPreload = true
            reply = try await runtime.transport.send(.taskFence(fence))
        } catch {
            throw fail(error)
        }
        switch (reply.status, reply.payload) {
        case (200, .fenced(let outcome)):
            remember((outcome.promise.map { [$0] } ?? []) + outcome.preload)
            return outcome
        case (404, _), (409, _):
            throw fail(
                ResonateError(.leaseLost, "the lease on \(taskID) (version \(version)) was lost", status: reply.status))
        default:
            throw fail(reply.unexpected("task.fence on \(taskID)"))
        }
    }

    /// Records a platform failure; the pass stops making durable calls, its waiting jobs unwind, and the task is
    /// released.
    @discardableResult
    func fail(_ error: any Error) -> PlatformFailure {
        let waiters = state.withLock { shell in shell.takeWaiters(shell.machine.fail(error)) }
        let failure = PlatformFailure(underlying: error)
        for waiter in waiters { waiter.resume(throwing: failure) }
        return failure
    }
}
