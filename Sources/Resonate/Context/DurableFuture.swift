// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// The eventual result of a durable call started with `beginRun`, `beginRpc` or `promise`.
///
/// Its ``id`` is known as soon as the call returns. Awaiting ``result()`` of a remote call that has not finished
/// suspends the execution; it resumes once the call is done — where it waited if this process still holds it in
/// memory, else by replaying from its checkpoints.
///
/// ```swift
/// let futures = try await (1...3).asyncMap { try await ctx.beginRpc(double, $0) }
/// let values = try await futures.asyncMap { try await $0.result() }
/// ```
public struct DurableFuture<Output: Codable & Sendable>: Sendable {
    /// The durable promise's id.
    public let id: String
    private let source: Source

    private enum Source: Sendable {
        case settled(Result<Output, any Error>)
        case remote(Pass)
        case local(LocalCompletion<Output>)
    }

    static func settled(_ id: String, _ result: Result<Output, any Error>) -> DurableFuture {
        DurableFuture(id: id, source: .settled(result))
    }

    static func remote(_ id: String, pass: Pass) -> DurableFuture {
        DurableFuture(id: id, source: .remote(pass))
    }

    static func local(_ id: String, _ completion: LocalCompletion<Output>) -> DurableFuture {
        DurableFuture(id: id, source: .local(completion))
    }

    /// The call's result; throws the call's error, or suspends the execution while a remote call is pending.
    /// For a function that returns nothing, `try await future.result()` just waits.
    ///
    /// The same name as ``Handle/result()``, for the same thing from outside a durable function.
    @discardableResult
    public func result() async throws -> Output {
        switch source {
        case .settled(let result):
            return try result.get()
        case .remote(let pass):
            let record = try await pass.wait(for: id)
            if let canceled = try await pass.cancellation(of: record) { throw canceled }
            return try pass.runtime.outcome(of: record, as: Output.self)
        case .local(let completion):
            return try await completion.value()
        }
    }

    /// The call's result (see ``result()``).
    @available(*, deprecated, renamed: "result()")
    public var value: Output {
        get async throws { try await result() }
    }
}

/// Carries the result of a local call running concurrently to whoever awaits it.
///
/// Waits are counted in the pass (a job waiting for a local call that itself waits on a remote promise is part of
/// a quiescent pass), and the count is adjusted under this object's lock so that the pass never sees a job as
/// waiting after its wait ended.
final class LocalCompletion<Output: Sendable>: Sendable {
    private struct State {
        var result: Result<Output, any Error>?
        var waiters: [CheckedContinuation<Result<Output, any Error>, Never>] = []
    }

    private let state = Mutex(State())
    private let pass: Pass

    init(pass: Pass) {
        self.pass = pass
    }

    func complete(_ result: Result<Output, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Result<Output, any Error>, Never>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters.removeAll() }
            pass.localWaitEnded(count: state.waiters.count)
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    func value() async throws -> Output {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Output, any Error>, Never>) in
            let ready = state.withLock { state -> Result<Output, any Error>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                pass.localWaitBegan()
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try result.get()
    }
}
