// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Transition {
    /// The most children one query reads while cancelling a call tree; more are read page by page.
    private static var childPageSize: Int { 500 }

    /// Cancels what a canceled promise started, in the transaction that canceled it.
    ///
    /// The protocol stops at the promise (PROTOCOL §2.4: its task is fulfilled, a later fence of its holder gets
    /// 409), so the function's children — steps, remote calls, sleeps, latent promises — would go on. Here every
    /// pending child (`resonate:parent` is the promise) is settled `rejected_canceled` too, with the same value,
    /// recursively: one atomic change, so a crash cannot leave a tree half canceled. Detached executions are not
    /// children in that sense and keep running.
    ///
    /// When the canceled task's last holder runs cleanup executions (``Request/cleanupHeadField``), a cleanup
    /// promise is created for it: an execution of the same function and arguments, sent to the same target, which
    /// replays the function to let it observe the cancellation and run its cleanup steps.
    ///
    /// - Parameter task: the canceled promise's task as it was before the cancellation; `nil` when there is none
    ///   or when the task canceled itself.
    func propagateCancellation(of promise: PromiseRecord, task: TaskRow?) async throws {
        var cursor: String?
        repeat {
            let children = try await transaction.searchPromises(
                state: .pending, tags: [Tag.parent: promise.id], after: cursor, limit: Self.childPageSize)
            cursor = children.count == Self.childPageSize ? children.last?.id : nil
            for child in children where child.id != promise.id && !idRules.isDetached(child.id) {
                _ = try await settle(child, state: .rejectedCanceled, value: promise.value, settledAt: now)
            }
        } while cursor != nil
        try await startCleanup(of: promise, task: task)
    }

    /// Creates the cleanup execution of a canceled task promise, if its holder asked for one.
    private func startCleanup(of promise: PromiseRecord, task: TaskRow?) async throws {
        // A task that never ran has nothing to clean up; a cleanup execution is not cleaned up in turn.
        guard let task, task.wantsCleanup, task.version > 0, promise.tags[Tag.cleanupOf] == nil,
            let target = promise.target
        else { return }
        // A function that made no durable call has no step to compensate, and replaying it would only repeat what
        // it did before its first checkpoint.
        let children = try await transaction.searchPromises(
            state: nil, tags: [Tag.parent: promise.id], after: nil, limit: 2)
        guard children.contains(where: { $0.id != promise.id }) else { return }
        let tags = [
            Tag.origin: promise.tags[Tag.origin] ?? String(idRules.origin(of: promise.id)),
            Tag.parent: promise.id,
            // The canceled function's branch: the cleanup replays its steps.
            Tag.branch: promise.tags[Tag.branch] ?? promise.id,
            Tag.scope: "global",
            Tag.target: target,
            Tag.cleanupOf: promise.id,
        ]
        // Cleanup steps need time even when the canceled execution's deadline is close.
        let timeoutAt = max(promise.timeoutAt, now + Self.minimumCleanupTime)
        _ = try await createPromise(
            PromiseCreate(id: idRules.cleanupID(of: promise.id), timeoutAt: timeoutAt, param: promise.param, tags: tags)
        )
    }

    /// The least time a cleanup execution gets before its deadline: one day, the SDKs' default execution timeout.
    static var minimumCleanupTime: Int64 { 86_400_000 }
}
