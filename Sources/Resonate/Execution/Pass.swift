// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// One pass over a task's function: the root body and the local calls it starts, all under one lease.
///
/// A pass knows every promise it has seen (the preload plus fence answers), which remote promises it created that
/// are still pending, and whether it is suspending. Every durable operation goes through it, fenced with the
/// task's version. Local calls started with `beginRun` run as child tasks of the pass's task group, so nothing
/// outlives the pass.
final class Pass: Sendable {
    typealias Job = @Sendable () async -> Void

    let taskID: String
    let version: Int64
    let runtime: Runtime
    private let state: Mutex<State>
    private let jobs: AsyncStream<Job>
    private let jobsContinuation: AsyncStream<Job>.Continuation

    private struct State {
        var records: [String: PromiseRecord]
        /// Remote promises (calls, sleeps, latent promises) created or found pending, in creation order.
        var pendingRemote: [String] = []
        var isSuspending = false
        var failure: (any Error)?
        /// A determinism violation: the pass ends by rejecting the task's promise with it.
        var fatal: (any Error)?
        var activeJobs = 0
    }

    init(taskID: String, version: Int64, preload: [PromiseRecord], runtime: Runtime) {
        self.taskID = taskID
        self.version = version
        self.runtime = runtime
        var records: [String: PromiseRecord] = [:]
        for record in preload { records[record.id] = record }
        state = Mutex(State(records: records))
        (jobs, jobsContinuation) = AsyncStream.makeStream(of: Job.self)
    }

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
        state.withLock { $0.activeJobs += 1 }
        jobsContinuation.yield(job)
    }

    private func jobFinished() {
        let done = state.withLock { state -> Bool in
            state.activeJobs -= 1
            return state.activeJobs == 0
        }
        if done { jobsContinuation.finish() }
    }

    /// Decides the pass's outcome once every job has finished.
    func outcome(rootResult: Result<Value, any Error>?) -> PassOutcome {
        let (failure, fatal, suspending, pending) = state.withLock {
            ($0.failure, $0.fatal, $0.isSuspending, $0.pendingRemote)
        }
        if let failure { return .failed(failure) }
        if let fatal { return .completed(resolved: false, value: runtime.errors.encode(fatal)) }
        // A function cannot finish while work it started is still pending (structured concurrency): whether it
        // awaited that work or not, it suspends until all of it is done.
        if suspending || !pending.isEmpty { return .suspended(awaiting: pending) }
        switch rootResult {
        case .success(let value)?: return .completed(resolved: true, value: value)
        case .failure(let error)?: return .completed(resolved: false, value: runtime.errors.encode(error))
        case nil: return .failed(ResonateError(.server, "the function ended without a result"))
        }
    }

    // MARK: State

    /// Throws if the pass can no longer make durable calls: it is suspending, failed, or diverged.
    func checkActive() throws {
        let (suspending, failure, fatal) = state.withLock { ($0.isSuspending, $0.failure, $0.fatal) }
        if let fatal { throw fatal }
        if let failure { throw PlatformFailure(underlying: failure) }
        if suspending { throw Suspension() }
    }

    /// Marks the pass as suspending: it awaited work that is not done.
    func suspend() -> Suspension {
        state.withLock { $0.isSuspending = true }
        return Suspension()
    }

    /// Ends the pass with a rejection of the task's promise (a replay diverged from its history).
    func abort(_ error: any Error) -> any Error {
        state.withLock { state in
            if state.fatal == nil { state.fatal = error }
        }
        return error
    }

    var isSuspending: Bool { state.withLock { $0.isSuspending } }

    func addPendingRemote(_ id: String) {
        state.withLock { state in
            if !state.pendingRemote.contains(id) { state.pendingRemote.append(id) }
        }
    }

    func cached(_ id: String) -> PromiseRecord? {
        state.withLock { $0.records[id] }
    }

    /// Remembers a record; a settled record is never replaced by an older pending one.
    private func remember(_ record: PromiseRecord) {
        state.withLock { state in
            if let known = state.records[record.id], known.state.isSettled, !record.state.isSettled { return }
            state.records[record.id] = record
        }
    }

    // MARK: Fenced operations

    /// Creates a promise under the lease, or returns the record already known for its id.
    func create(_ create: PromiseCreate) async throws -> PromiseRecord {
        if let known = cached(create.id) { return known }
        try checkActive()
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

    private func fence(_ action: TaskFence.Action) async throws -> FenceOutcome {
        let reply: Reply
        do {
            reply = try await runtime.transport.send(
                .taskFence(TaskFence(id: taskID, version: version, action: action)))
        } catch {
            throw fail(error)
        }
        switch (reply.status, reply.payload) {
        case (200, .fenced(let outcome)):
            if let promise = outcome.promise { remember(promise) }
            for record in outcome.preload { remember(record) }
            return outcome
        case (404, _), (409, _):
            throw fail(
                ResonateError(.leaseLost, "the lease on \(taskID) (version \(version)) was lost", status: reply.status))
        default:
            throw fail(reply.unexpected("task.fence on \(taskID)"))
        }
    }

    /// Records a platform failure; the pass stops making durable calls and the task is released.
    private func fail(_ error: any Error) -> PlatformFailure {
        state.withLock { state in
            if state.failure == nil { state.failure = error }
        }
        return PlatformFailure(underlying: error)
    }
}
