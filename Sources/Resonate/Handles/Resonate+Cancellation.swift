// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Resonate {
    /// Cancels an execution and everything it started.
    ///
    /// The execution's promise is settled `rejected_canceled`; in the same server transaction its pending
    /// children are canceled too, recursively: local steps, remote calls (in any language), sleeps and latent
    /// promises. Detached executions keep running. Whoever awaits the execution gets
    /// ``ResonateError/Code/canceled``. The function stops at its next durable call; a Swift function then replays
    /// on some process of its group to observe the cancellation and run its cleanup (see
    /// ``Context/nonCancellable(_:)``).
    ///
    /// ```swift
    /// let handle = try await resonate.beginRun("order-7", processOrder, order)
    /// try await resonate.cancel(handle.id, reason: "the customer withdrew the order")
    /// ```
    ///
    /// Any SDK cancels the same way, by settling the promise `rejected_canceled`.
    ///
    /// - Returns: ``CancelOutcome/alreadySettled(_:)`` when the execution had finished; nothing changes then.
    /// - Throws: ``ResonateError/Code/notFound`` when no execution has this id.
    @discardableResult
    public func cancel(_ id: String, reason: String? = nil) async throws -> CancelOutcome {
        try await runtime.cancel(id, reason: reason)
    }
}

extension Handle {
    /// Cancels the execution and everything it started (see ``Resonate/cancel(_:reason:)``).
    @discardableResult
    public func cancel(reason: String? = nil) async throws -> CancelOutcome {
        try await runtime.cancel(id, reason: reason)
    }
}

extension Runtime {
    func cancel(_ id: String, reason: String?) async throws -> CancelOutcome {
        // The settlement answers a settled promise with its record unchanged, which cannot tell a cancellation
        // made now from an earlier one: look first.
        let current = try await transport.send(.promiseGet(id: id))
        guard current.status == 200, let found = current.promiseRecord else {
            throw current.unexpected("promise.get \(id)")
        }
        guard found.state == .pending else {
            subscriptions.update(found)
            return .alreadySettled(found.state)
        }
        let value = reason.map { errors.encode(ApplicationError(message: $0)) } ?? .empty
        let reply = try await transport.send(
            .promiseSettle(PromiseSettle(id: id, state: .rejectedCanceled, value: value)))
        guard reply.status == 200, let record = reply.promiseRecord else {
            throw reply.unexpected("promise.settle \(id)")
        }
        subscriptions.update(record)
        // Settled by someone else meanwhile.
        guard record.state == .rejectedCanceled, record.value == value else { return .alreadySettled(record.state) }
        return .canceled
    }
}
