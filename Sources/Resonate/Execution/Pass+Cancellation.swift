// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateProtocol

/// How a pass observes the cancellation of its execution.
///
/// When an execution is canceled the server cancels everything it started and fulfils its task, so the pass
/// running it can make no further durable call. If this process asked for it (``Request/cleanupHeadField``), the
/// server then sends a *cleanup* task: a cleanup pass replays the function from its checkpoints, and the first
/// durable call that was not finished before the cancellation throws `CancellationError`. The function's own
/// `catch` runs its cleanup, whose durable calls in a ``Context/nonCancellable(_:)`` scope are made under the
/// cleanup task's lease — checkpointed, so a crash mid-cleanup replays them instead of running them twice.
extension Pass {
    /// Whether durable calls made now observe the cancellation: in a cleanup pass, outside a non-cancellable scope.
    var observesCancellation: Bool { canceledAt != nil && !CancellationShield.isActive }

    /// The record a cleanup pass replays for a call; `CancellationError` if the canceled execution never made it.
    func recordedCall(_ id: String) async throws -> PromiseRecord {
        if let known = cached(id) { return known }
        let reply: Reply
        do {
            reply = try await runtime.transport.send(.promiseGet(id: id))
        } catch {
            throw fail(error)
        }
        switch reply.status {
        case 200:
            guard let record = reply.promiseRecord else { throw fail(reply.unexpected("promise.get \(id)")) }
            remember([record])
            return record
        case 404:
            throw CancellationError()
        default:
            throw fail(reply.unexpected("promise.get \(id)"))
        }
    }

    /// What a call's record means to the code that made the call, before its outcome is used: `CancellationError`
    /// when the call must be observed as canceled, else `nil` (use the record's outcome).
    ///
    /// In a cleanup pass outside a non-cancellable scope, a call that was pending at the cancellation (canceled with
    /// the execution, or still pending) is canceled; one that finished before has its outcome, as in any replay.
    /// Calls that start work (`beginRun`, `beginRpc`, `promise`) return the error in their future, so that the code
    /// observes it where it awaits the work, as it would have in the running execution. In a running pass, a call
    /// that comes back canceled may mean that the whole execution was: then the pass is given up (this throws the
    /// suspension that unwinds it) and the cleanup task, if any, takes over.
    func cancellation(of record: PromiseRecord) async throws -> CancellationError? {
        if let canceledAt {
            guard !CancellationShield.isActive else { return nil }
            if record.state == .pending { return CancellationError() }
            if record.state == .rejectedCanceled, (record.settledAt ?? .max) >= canceledAt {
                return CancellationError()
            }
            return nil
        }
        guard record.state == .rejectedCanceled, record.id != executionID else { return nil }
        let execution: PromiseRecord?
        do {
            execution = try await runtime.transport.send(.promiseGet(id: executionID)).promiseRecord
        } catch {
            // The next durable call finds out: its fence is refused if the execution was canceled.
            runtime.logger.debug(
                "cannot read the execution's state", metadata: ["promise": "\(executionID)", "error": "\(error)"])
            return nil
        }
        guard execution?.state == .rejectedCanceled else { return nil }
        abandon()
        throw Suspension()
    }
}

/// Marks the durable calls of a ``Context/nonCancellable(_:)`` scope.
enum CancellationShield {
    @TaskLocal static var isActive = false
}
