// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ResonateProtocol
import ServiceContextModule
import Synchronization
import Tracing

/// Executes tasks: acquires them, runs passes of their function until it finishes or suspends, and reports the
/// outcome to the server with the task's version (PROTOCOL §9.1).
struct TaskRunner: Sendable {
    let runtime: Runtime

    /// Acquires the task an `execute` message names, then runs it. A 409 means someone else has it: nothing to do.
    func acquireAndRun(taskID: String, version: Int64) async {
        let reply: Reply
        do {
            reply = try await runtime.transport.send(
                .taskAcquire(TaskAcquire(id: taskID, version: version, pid: runtime.pid, ttl: runtime.ttl))
            )
        } catch {
            runtime.logger.warning("cannot acquire task", metadata: ["task": "\(taskID)", "error": "\(error)"])
            return
        }
        guard reply.status == 200, case .taskWithPromise(let task, let promise, let preload) = reply.payload else {
            runtime.logger.debug(
                "task not acquired",
                metadata: ["task": "\(taskID)", "status": "\(reply.status)"]
            )
            return
        }
        await run(task: task, promise: promise, preload: preload)
    }

    /// Runs an acquired task to its outcome.
    func run(task: TaskRecord, promise: PromiseRecord, preload: [PromiseRecord]) async {
        var logger = runtime.logger
        logger[metadataKey: "task"] = "\(task.id)"
        if promise.isTimer {
            // A durable sleep's task: the server resolves it at its deadline. Holding the lease until then keeps
            // the task from being handed out again and again in the meantime.
            runtime.heartbeats.add(task.id, version: task.version, until: promise.timeoutAt)
            return
        }
        let invocation: TaskData
        let function: RegisteredFunction
        do {
            invocation = try TaskData(json: try runtime.codec.jsonDocument(in: promise.param))
            guard let found = runtime.registry.function(named: invocation.function, version: invocation.version) else {
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
            runtime.heartbeats.add(task.id, version: task.version)
            try? await runtime.sleep(for: .seconds(5))
            runtime.heartbeats.remove(task.id, version: task.version)
            _ = try? await runtime.transport.send(.taskRelease(id: task.id, version: task.version))
            return
        }
        runtime.heartbeats.add(task.id, version: task.version)
        defer { runtime.heartbeats.remove(task.id, version: task.version) }
        // Each run of an execution is a span in the trace of the call that started it: the caller's context
        // travels in the promise's param headers, so a resumption on another process joins the same trace.
        let tracer = runtime.tracer
        let span = tracer.startSpan(
            "resonate.execute \(function.name)",
            context: TraceContextCarrier.context(from: promise.param.headers, tracer: tracer),
            ofKind: .consumer
        )
        defer { span.end() }
        span.attributes["resonate.promise.id"] = promise.id
        span.attributes["resonate.task.version"] = Int(task.version)
        span.attributes["resonate.function"] = function.name
        span.attributes["resonate.group"] = runtime.group
        span.attributes["resonate.pid"] = runtime.pid
        await ServiceContext.withValue(span.context) {
            var preload = preload
            while !Task.isCancelled {
                let outcome = await runPass(
                    task: task, promise: promise, preload: preload, function: function, invocation: invocation)
                switch outcome {
                case .completed(let resolved, let value):
                    span.attributes["resonate.outcome"] = resolved ? "resolved" : "rejected"
                    await fulfill(task, resolved: resolved, value: value, logger: logger)
                    return
                case .suspended(let awaited):
                    span.attributes["resonate.outcome"] = "suspended"
                    guard let next = await suspend(task, on: awaited, logger: logger) else { return }
                    preload = next
                case .failed(let error):
                    span.attributes["resonate.outcome"] = "released"
                    span.recordError(error)
                    logger.warning("execution failed; releasing the task", metadata: ["error": "\(error)"])
                    _ = try? await runtime.transport.send(.taskRelease(id: task.id, version: task.version))
                    return
                }
            }
        }
    }

    private func runPass(
        task: TaskRecord,
        promise: PromiseRecord,
        preload: [PromiseRecord],
        function: RegisteredFunction,
        invocation: TaskData
    ) async -> PassOutcome {
        let runtime = self.runtime
        let pass = Pass(taskID: task.id, version: task.version, preload: preload, runtime: runtime)
        let result = ResultSlot<Value>()
        let execution = LocalExecution<Value>(
            pass: pass,
            runtime: runtime,
            makeContext: { attempt in
                Context(
                    info: Info(
                        id: promise.id,
                        parentID: promise.tags[Tag.parent] ?? promise.id,
                        originID: promise.tags[Tag.origin] ?? runtime.idScheme.origin(of: promise.id),
                        branchID: promise.tags[Tag.branch] ?? promise.id,
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
                return try await function.invoke(context, invocation.args)
            }
        )
        await pass.run {
            result.set(await execution.run())
        }
        return pass.outcome(rootResult: result.value)
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
            _ = try? await runtime.transport.send(.taskRelease(id: task.id, version: task.version))
        }
    }

    /// Suspends the task; returns the preload to continue with when an awaited promise had already settled (300).
    private func suspend(_ task: TaskRecord, on awaited: [String], logger: Logger) async -> [PromiseRecord]? {
        do {
            let reply = try await runtime.transport.send(
                .taskSuspend(TaskSuspend(id: task.id, version: task.version, awaiting: awaited))
            )
            switch (reply.status, reply.payload) {
            case (200, _):
                return nil
            case (300, .preload(let preload)):
                return preload
            default:
                logger.info("the task was not suspended", metadata: ["status": "\(reply.status)"])
                return nil
            }
        } catch {
            logger.warning("cannot suspend the task; it will run again", metadata: ["error": "\(error)"])
            _ = try? await runtime.transport.send(.taskRelease(id: task.id, version: task.version))
            return nil
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

extension PromiseRecord {
    var isTimerPromise: Bool { isTimer }
}
