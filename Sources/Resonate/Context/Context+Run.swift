// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import ServiceContextModule
import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Context {
    /// Runs a function in this process as a durable step and returns its result.
    ///
    /// The step's result is checkpointed: when this execution replays, the call returns the recorded result
    /// without running the function again. A failing step is retried per its policy if it made no durable calls
    /// itself; its final error is recorded and thrown here.
    ///
    /// ```swift
    /// let hasMore = try await ctx.run(deleteBatch, recordID)
    /// ```
    @discardableResult
    public func run<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> Output {
        let body = function.body
        let future: DurableFuture<Output> = try await startLocal(
            name: function.name,
            version: function.version,
            retryPolicy: options.retryPolicy ?? function.retryPolicy,
            timeout: options.timeout,
            concurrently: false
        ) { context in try await body(context, repeat each arguments) }
        return try await future.result()
    }

    /// Starts a function in this process as a durable step that runs concurrently; await the future's value later.
    ///
    /// Ids are assigned when this method is called, so start concurrent steps one after another (not from
    /// `async let`), and await the futures together:
    ///
    /// ```swift
    /// let first = try await ctx.beginRun(fetch, "a")
    /// let second = try await ctx.beginRun(fetch, "b")
    /// let pages = try await [first.value, second.value]
    /// ```
    public func beginRun<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> DurableFuture<Output> {
        let body = function.body
        return try await startLocal(
            name: function.name,
            version: function.version,
            retryPolicy: options.retryPolicy ?? function.retryPolicy,
            timeout: options.timeout,
            concurrently: true
        ) { context in try await body(context, repeat each arguments) }
    }

    /// Creates (or finds) the checkpoint of a local step and runs the step if it has not finished.
    func startLocal<Output: Codable & Sendable>(
        name: String,
        version: Int,
        retryPolicy: RetryPolicy?,
        timeout: Duration?,
        concurrently: Bool,
        body: @escaping @Sendable (Context) async throws -> Output
    ) async throws -> DurableFuture<Output> {
        let pass = self.pass
        let runtime = self.runtime
        let info = self.info
        let id = nextChildID()
        try pass.checkActive()
        var tags = lineageTags(branch: info.branchID)
        tags[Tag.scope] = "local"
        var param = JSONWriter()
        param.value(.object(["func": .string(name), "version": .integer(Int64(version))]))
        let create = PromiseCreate(
            id: id,
            timeoutAt: childDeadline(timeout),
            param: runtime.codec.value(ofJSON: param.bytes),
            tags: tags
        )
        // In an execution's first run the step has no checkpoint to find: it is written once, when the step ends
        // (see Pass+Checkpoints).
        let timeoutAt: Int64
        let startedAt = runtime.clock.now.milliseconds
        if pass.deferCheckpoint(create) {
            timeoutAt = create.timeoutAt
        } else {
            let record = try await pass.create(create)
            try checkReplay(record, expected: .local(name))
            if let canceled = try await pass.cancellation(of: record) { return .settled(id, .failure(canceled)) }
            if record.state.isSettled {
                return .settled(id, Result { try runtime.outcome(of: record, as: Output.self) })
            }
            timeoutAt = record.timeoutAt
        }
        let deadline = Date(timeIntervalSince1970: Double(timeoutAt) / 1000)
        let execution = LocalExecution(
            pass: pass,
            runtime: runtime,
            makeContext: { attempt in
                Context(
                    info: Info(
                        id: id,
                        parentID: info.id,
                        originID: info.originID,
                        branchID: id,
                        functionName: name,
                        deadline: deadline,
                        attempt: attempt
                    ),
                    timeoutAt: timeoutAt,
                    pass: pass,
                    runtime: runtime
                )
            },
            deadline: timeoutAt,
            policy: retryPolicy ?? runtime.defaultRetryPolicy,
            body: body
        )
        let run: @Sendable () async -> Result<Output, any Error> = {
            // A step that runs (not one read from its checkpoint) is a span inside its execution's.
            let tracer = runtime.tracer
            let span = tracer.startSpan(
                "resonate.run \(name)",
                context: ServiceContext.current ?? .topLevel,
                ofKind: .internal
            )
            defer { span.end() }
            span.attributes["resonate.promise.id"] = id
            span.attributes["resonate.function"] = name
            let result = await ServiceContext.withValue(span.context) { await execution.run() }
            if case .failure(let error) = result, !LocalExecution<Output>.isControlFlow(error) {
                span.recordError(error)
            }
            switch result {
            case .success(let output):
                do {
                    _ = try await pass.settleStep(
                        id, state: .resolved, value: try runtime.codec.encode(output), startedAt: startedAt)
                    return .success(output)
                } catch {
                    return .failure(error)
                }
            case .failure(let error):
                if LocalExecution<Output>.isControlFlow(error) || pass.isAbandoned {
                    _ = pass.takeDeferredCheckpoint(id)
                    return .failure(error)
                }
                do {
                    _ = try await pass.settleStep(
                        id, state: .rejected, value: runtime.errors.encode(error), startedAt: startedAt)
                } catch {
                    return .failure(error)
                }
                return .failure(error)
            }
        }
        if concurrently {
            let completion = LocalCompletion<Output>(pass: pass)
            // The step runs in the pass's task group, not in this task: it keeps this call's non-cancellable scope.
            let shielded = CancellationShield.isActive
            pass.spawn {
                completion.complete(await CancellationShield.$isActive.withValue(shielded) { await run() })
            }
            return .local(id, completion)
        }
        return .settled(id, await run())
    }
}

extension PromiseRecord {
    var deadline: Date { Date(timeIntervalSince1970: Double(timeoutAt) / 1000) }
}
