// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateProtocol
import ServiceContextModule
import Synchronization
import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Executes tasks: acquires them, runs their function until it finishes, and reports the outcome to the server
/// with the task's version (PROTOCOL §9.1).
///
/// When the function waits on remote promises the task is suspended and its pass stays in memory
/// (``ParkedPasses``); a resume of the task on this process continues the pass instead of replaying it.
/// A short execution that holds a sleep leaves memory until it ends and then replays from its records
/// (``SleepingExecution``). An active execution holds one of the ``TaskSlots``; a parked or sleeping one holds none.
struct TaskRunner: Sendable {
    let runtime: Runtime
    /// The functions this process can run.
    let registry: FunctionRegistry
    let parked: ParkedPasses
    let counters: ResumeCounters
    /// Schedules a released execution's replay at the end of its sleep (``wake(_:)``); `false` when the instance
    /// is stopping and takes no more work.
    let scheduleWake: @Sendable (SleepingExecution) -> Bool

    /// Acquires the task an `execute` message names, then continues its parked pass or runs it from the top.
    /// A 409 means someone else has it: nothing to do.
    func acquireAndRun(taskID: String, version: Int64) async {
        // A sleep's own task (it has one because the reference server times out only promises with a target):
        // the server settles it at its deadline whether or not anyone holds it, so when an execution of this
        // process waits on it, acquiring it would only hold a lease until then, at a request per sleep.
        if runtime.tasks.sleeping.withLock({ $0.contains(taskID) }) { return }
        await runtime.tasks.slots.acquire()
        let hold = SlotHold(acquiredFrom: runtime.tasks.slots)
        var acquire = TaskAcquire(id: taskID, version: version, pid: runtime.pid, ttl: runtime.ttl)
        // A parked pass knows its branch already.
        acquire.omitsPreload = parked.contains(taskID)
        // If the execution is canceled, this process replays it to run its cleanup (see `Pass+Cancellation`).
        acquire.requestsCleanup = true
        let reply: Reply
        do {
            reply = try await runtime.transport.send(.taskAcquire(acquire))
        } catch {
            runtime.logger.warning("cannot acquire task", metadata: ["task": "\(taskID)", "error": "\(error)"])
            hold.release()
            return
        }
        guard reply.status == 200, case .taskWithPromise(let task, let promise, let preload) = reply.payload else {
            runtime.logger.debug(
                "task not acquired",
                metadata: ["task": "\(taskID)", "status": "\(reply.status)"]
            )
            hold.release()
            return
        }
        if let entry = parked.take(taskID) {
            // Only the resume that directly follows the pass's suspension can continue it: a higher version means
            // another process ran the task meanwhile, and this pass's view of it is out of date.
            if entry.version + 1 == task.version, let records = await settledAwaited(of: entry.pass),
                entry.pass.resume(version: task.version, with: records)
            {
                counters.count(.inMemory)
                return  // the pass's runner has taken over the slot
            }
            entry.pass.abandon()
        }
        if task.version > 1 { counters.count(.replayed) }
        await run(task: task, promise: promise, preload: preload, holding: hold)
    }

    /// Runs a task acquired elsewhere (`task.create`), once a slot is free.
    func runAcquired(task: TaskRecord, promise: PromiseRecord, preload: [PromiseRecord]) async {
        await runtime.tasks.slots.acquire()
        await run(task: task, promise: promise, preload: preload, holding: SlotHold(acquiredFrom: runtime.tasks.slots))
    }

    /// Replays an execution released for a sleep (see ``SleepingExecution``) once the sleep has ended, from the
    /// records in memory, once a slot is free.
    func wake(_ sleeping: SleepingExecution) async {
        do {
            try await runtime.clock.sleep(untilMilliseconds: sleeping.sleep.wakeAt)
        } catch {
            // Torn down meanwhile: another process replays it up to the sleep.
            await giveBack(sleeping, logger: runtime.logger)
            await runtime.executionLeft(sleeping.task.id)
            return
        }
        runtime.tasks.sleeping.withLock { _ = $0.remove(sleeping.sleep.id) }
        await runtime.tasks.slots.acquire()
        await run(
            task: sleeping.task, promise: sleeping.promise, preload: sleeping.historyAfterSleep,
            holding: SlotHold(acquiredFrom: runtime.tasks.slots))
    }

    /// Releases the task of an execution whose sleep this process will not see to its end.
    private func giveBack(_ sleeping: SleepingExecution, logger: Logger) async {
        runtime.tasks.heartbeats.remove(sleeping.task.id, version: sleeping.task.version)
        runtime.tasks.sleeping.withLock { _ = $0.remove(sleeping.sleep.id) }
        await runtime.releaseTask(sleeping.task.id, version: sleeping.task.version, logger: logger)
    }

    /// The records of the remote promises a parked pass awaits, as they are now.
    ///
    /// A suspended task resumes only when one of the promises it awaits settles; when that is a single sleep, it
    /// is known to have ended, and its value (none) needs no request.
    private func settledAwaited(of pass: Pass) async -> [PromiseRecord]? {
        let awaited = pass.pendingRemote
        if awaited.count == 1, var timer = pass.cached(awaited[0]), timer.isTimer {
            timer.state = .resolved
            return [timer]
        }
        var records: [PromiseRecord] = []
        for id in awaited {
            do {
                let reply = try await runtime.transport.send(.promiseGet(id: id))
                guard reply.status == 200, let record = reply.promiseRecord else { return nil }
                records.append(record)
            } catch {
                // Nothing is lost: the task replays from its checkpoints instead of continuing in memory.
                runtime.logger.debug(
                    "cannot read an awaited promise; replaying instead",
                    metadata: ["promise": "\(id)", "error": "\(error)"])
                return nil
            }
        }
        return records
    }

    /// Runs an acquired task to its outcome; `hold` is given back when it ends (and while it is parked).
    private func run(task: TaskRecord, promise: PromiseRecord, preload: [PromiseRecord], holding hold: SlotHold) async {
        runtime.subscriptions.run(task.id)
        let sleeping = await runToOutcome(task: task, promise: promise, preload: preload, holding: hold)
        if !sleeping { await runtime.executionLeft(task.id) }
    }

    /// Returns whether the execution stays with this process, released for a sleep (``wake(_:)`` follows).
    private func runToOutcome(
        task: TaskRecord, promise: PromiseRecord, preload: [PromiseRecord], holding hold: SlotHold
    ) async -> Bool {
        defer { hold.release() }
        var logger = runtime.logger
        logger[metadataKey: "task"] = "\(task.id)"
        if promise.isTimer {
            // A durable sleep's task: the server resolves it at its deadline. Holding the lease until then keeps
            // the task from being handed out again and again in the meantime.
            runtime.tasks.heartbeats.add(task.id, version: task.version, until: promise.timeoutAt)
            return false
        }
        let invocation: TaskData
        let function: RegisteredFunction
        do {
            invocation = try TaskData(json: try runtime.codec.jsonDocument(in: promise.param))
            guard let found = registry.function(named: invocation.function, version: invocation.version) else {
                throw ResonateError(
                    .functionNotFound,
                    "no function '\(invocation.function)' (version \(invocation.version)) is registered in group "
                        + "'\(runtime.group)'"
                )
            }
            function = found
        } catch {
            // Another process of the group may know the function: give the task back after a pause, so an
            // unknown task does not bounce between processes in a tight loop.
            logger.error("cannot run task", metadata: ["error": "\(error)"])
            runtime.tasks.heartbeats.add(task.id, version: task.version)
            try? await runtime.sleep(for: .seconds(5))
            runtime.tasks.heartbeats.remove(task.id, version: task.version)
            await runtime.releaseTask(task.id, version: task.version, logger: logger)
            return false
        }
        // A cleanup task replays the execution it names, which was canceled.
        var canceled: PromiseRecord?
        if let canceledID = promise.tags[Tag.cleanupOf] {
            guard let record = await canceledExecution(canceledID, preload: preload, logger: logger) else {
                await runtime.releaseTask(task.id, version: task.version, logger: logger)
                return false
            }
            // A pass of the canceled execution parked here will never resume: its task is fulfilled.
            parked.take(canceledID)?.pass.abandon()
            canceled = record
        }
        runtime.tasks.heartbeats.add(task.id, version: task.version)
        // Each run of an execution is a span in the trace of the call that started it: the caller's context
        // travels in the promise's param headers, so a resumption on another process joins the same trace.
        let tracer = runtime.tracer
        let span = tracer.startSpan(
            "resonate.\(canceled == nil ? "execute" : "cleanup") \(function.name)",
            context: TraceContextCarrier.context(from: promise.param.headers, tracer: tracer),
            ofKind: .consumer
        )
        defer { span.end() }
        span.attributes["resonate.promise.id"] = promise.id
        span.attributes["resonate.task.version"] = Int(task.version)
        span.attributes["resonate.function"] = function.name
        span.attributes["resonate.group"] = runtime.group
        span.attributes["resonate.pid"] = runtime.pid
        return await ServiceContext.withValue(span.context) {
            var preload = preload
            var task = task
            while !Task.isCancelled {
                let pass = Pass(
                    taskID: task.id, version: task.version, preload: preload, runtime: runtime, cleanupOf: canceled)
                let outcome = await runPass(
                    pass, promise: promise, execution: canceled ?? promise, function: function,
                    invocation: invocation, hold: hold, logger: logger)
                // Resumes on this process moved the lease on.
                task.version = pass.version
                runtime.tasks.heartbeats.remove(task.id, version: task.version)
                switch outcome {
                case .completed(let resolved, let value):
                    span.attributes["resonate.outcome"] = resolved ? "resolved" : "rejected"
                    await fulfill(task, resolved: resolved, value: value, logger: logger)
                    return false
                case .suspended(let awaited):
                    // The function finished but work it started (and did not await) is pending.
                    span.attributes["resonate.outcome"] = "suspended"
                    switch await suspend(task.id, version: task.version, on: awaited, logger: logger) {
                    case .suspended, .failed: return false
                    case .settled:
                        // Something is already done: run again from the top, with the same lease.
                        runtime.tasks.heartbeats.add(task.id, version: task.version)
                        preload = []
                    }
                case .abandoned:
                    span.attributes["resonate.outcome"] = "suspended"
                    return false
                case .sleeping(let sleep, let history):
                    span.attributes["resonate.outcome"] = "sleeping"
                    let sleeping = SleepingExecution(task: task, promise: promise, history: history, sleep: sleep)
                    runtime.tasks.heartbeats.add(task.id, version: task.version)
                    if scheduleWake(sleeping) {
                        counters.count(.releasedWhileSleeping)
                        return true
                    }
                    // Stopping: another process replays it up to the sleep.
                    await giveBack(sleeping, logger: logger)
                    return false
                case .failed(let error):
                    if Self.isLeaseLost(error) {
                        span.attributes["resonate.outcome"] = "lost"
                        await reportLostLease(of: promise, logger: logger)
                        return false
                    }
                    span.attributes["resonate.outcome"] = "released"
                    span.recordError(error)
                    logger.warning("execution failed; releasing the task", metadata: ["error": "\(error)"])
                    await runtime.releaseTask(task.id, version: task.version, logger: logger)
                    return false
                }
            }
            return false
        }
    }

    /// The canceled execution a cleanup task names, from the preload (its branch) or the server.
    private func canceledExecution(_ id: String, preload: [PromiseRecord], logger: Logger) async -> PromiseRecord? {
        if let record = preload.first(where: { $0.id == id }) { return record }
        do {
            let reply = try await runtime.transport.send(.promiseGet(id: id))
            guard reply.status == 200, let record = reply.promiseRecord else {
                throw reply.unexpected("promise.get \(id)")
            }
            return record
        } catch {
            logger.warning("cannot read the canceled execution", metadata: ["canceled": "\(id)", "error": "\(error)"])
            return nil
        }
    }

    /// Runs one pass to its outcome, suspending and parking it whenever all its jobs wait.
    ///
    /// - Parameters:
    ///   - promise: the task's promise, whose deadline bounds the pass.
    ///   - execution: the execution the function runs as: the task's promise, or the canceled one a cleanup
    ///     task replays.
    private func runPass(
        _ pass: Pass,
        promise: PromiseRecord,
        execution: PromiseRecord,
        function: RegisteredFunction,
        invocation: TaskData,
        hold: SlotHold,
        logger: Logger
    ) async -> PassOutcome {
        let runtime = self.runtime
        let result = ResultSlot<Value>()
        let execution = LocalExecution<Value>(
            pass: pass,
            runtime: runtime,
            makeContext: { attempt in
                Context(
                    info: Info(
                        id: execution.id,
                        parentID: execution.tags[Tag.parent] ?? execution.id,
                        originID: execution.tags[Tag.origin] ?? runtime.idScheme.origin(of: execution.id),
                        branchID: execution.tags[Tag.branch] ?? execution.id,
                        functionName: function.name,
                        deadline: promise.deadline,
                        attempt: attempt
                    ),
                    timeoutAt: promise.timeoutAt,
                    pass: pass,
                    runtime: runtime
                )
            },
            deadline: promise.timeoutAt,
            policy: function.retryPolicy ?? runtime.defaultRetryPolicy,
            body: { context in
                guard invocation.kwargs.isEmpty else {
                    throw ResonateError(
                        .decoding,
                        "\(function.name) takes positional arguments only, but was called with keyword arguments "
                            + invocation.kwargs.keys.sorted().joined(separator: ", ")
                    )
                }
                guard pass.canceledAt != nil else { return try await function.invoke(context, invocation.args) }
                // A cleanup ends the cleanup task when the function has observed its cancellation (or ignored it);
                // the canceled execution's promise stays canceled.
                do {
                    _ = try await function.invoke(context, invocation.args)
                } catch is CancellationError {}
                return .empty
            }
        )
        async let jobs: Void = pass.run {
            result.set(await execution.run())
        }
        await drive(pass, hold: hold, logger: logger)
        await jobs
        return pass.outcome(rootResult: result.value)
    }

    /// Acts on what the pass reports until all its jobs have finished: each time every job waits, suspends the
    /// task and parks the pass until it resumes here (or is abandoned).
    private func drive(_ pass: Pass, hold: SlotHold, logger: Logger) async {
        while true {
            switch await pass.nextEvent() {
            case .finished:
                return
            case .quiescent(let awaiting):
                let version = pass.version
                switch await suspend(pass.taskID, version: version, on: awaiting, logger: logger) {
                case .suspended:
                    counters.count(.suspended)
                    runtime.tasks.heartbeats.remove(pass.taskID, version: version)
                    hold.release()
                    // Its resume may go to another process of the group.
                    await runtime.executionLeft(pass.taskID)
                    pass.markParked()
                    let evictions = parked.insert(
                        pass, taskID: pass.taskID, version: version, bytes: pass.approximateBytes)
                    for evicted in evictions { evicted.abandon() }
                    switch await pass.waitWhileParked() {
                    case .resumed(let version):
                        hold.adopt()
                        runtime.subscriptions.run(pass.taskID)
                        runtime.tasks.heartbeats.add(pass.taskID, version: version)
                    case .abandoned:
                        break  // the jobs unwind; `.finished` follows
                    }
                case .settled(let records):
                    pass.received(records)
                case .failed(let error):
                    pass.fail(error)
                }
            }
        }
    }

    /// Whether a pass failed because the server refused its lease (fence, suspend or fulfill answered 404/409).
    static func isLeaseLost(_ error: any Error) -> Bool {
        let underlying = (error as? PlatformFailure)?.underlying ?? error
        return (underlying as? ResonateError)?.code == .leaseLost
    }

    /// The server refused the pass's lease (404/409): the execution was settled meanwhile — canceled, most often,
    /// which is no news — or another process took the task over, which is worth a warning. Nothing to release.
    private func reportLostLease(of promise: PromiseRecord, logger: Logger) async {
        let current = try? await runtime.transport.send(.promiseGet(id: promise.id)).promiseRecord
        if let current, current.state.isSettled {
            logger.debug("the execution was settled meanwhile", metadata: ["state": "\(current.state.rawValue)"])
        } else {
            logger.warning("the lease was lost; another process runs the task now")
        }
    }

    private func fulfill(_ task: TaskRecord, resolved: Bool, value: Value, logger: Logger) async {
        let settle = PromiseSettle(id: task.id, state: resolved ? .resolved : .rejected, value: value)
        do {
            let reply = try await runtime.transport.send(
                .taskFulfill(TaskFulfill(id: task.id, version: task.version, settle: settle))
            )
            if reply.status == 200 {
                if let record = reply.promiseRecord { runtime.subscriptions.update(record) }
            } else {
                // 409: settled by someone else meanwhile, or the lease was lost; either way nothing to do.
                logger.info("the task was not fulfilled", metadata: ["status": "\(reply.status)"])
            }
        } catch {
            logger.warning("cannot fulfill the task; it will run again", metadata: ["error": "\(error)"])
            await runtime.releaseTask(task.id, version: task.version, logger: logger)
        }
    }

    enum SuspendOutcome {
        /// The task is suspended until one of the awaited promises settles.
        case suspended
        /// Some awaited promise had already settled (300): these are the awaited promises' records now.
        case settled([PromiseRecord])
        /// The task could not be suspended; the attempt ends (the task was released, or is someone else's).
        case failed(any Error)
    }

    /// Suspends the task on `awaited`.
    private func suspend(_ taskID: String, version: Int64, on awaited: [String], logger: Logger) async -> SuspendOutcome
    {
        var request = TaskSuspend(id: taskID, version: version, awaiting: awaited)
        request.omitsPreload = true
        do {
            let reply = try await runtime.transport.send(.taskSuspend(request))
            switch reply.status {
            case 200:
                return .suspended
            case 300:
                var records: [PromiseRecord] = []
                for id in awaited {
                    let reply = try await runtime.transport.send(.promiseGet(id: id))
                    guard reply.status == 200, let record = reply.promiseRecord else {
                        throw reply.unexpected("promise.get \(id)")
                    }
                    records.append(record)
                }
                return .settled(records)
            default:
                logger.debug("the task was not suspended", metadata: ["status": "\(reply.status)"])
                return .failed(
                    ResonateError(.leaseLost, "suspending \(taskID) answered \(reply.status)", status: reply.status))
            }
        } catch {
            logger.warning("cannot suspend the task; it will run again", metadata: ["error": "\(error)"])
            await runtime.releaseTask(taskID, version: version, logger: logger)
            return .failed(error)
        }
    }
}

/// A value set once by one task and read by another after a happens-before edge (a task group's completion).
final class ResultSlot<Value: Sendable>: Sendable {
    private let slot = Mutex<Result<Value, any Error>?>(nil)

    func set(_ result: Result<Value, any Error>) {
        slot.withLock { $0 = result }
    }

    var value: Result<Value, any Error>? { slot.withLock { $0 } }
}
