// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// A durable execution started (or found) from outside a durable function.
///
/// ```swift
/// let handle = try await resonate.beginRun("order-42", processOrder, order)
/// print(handle.id)                     // "order-42"
/// let receipt = try await handle.result()
/// ```
public struct Handle<Output: Codable & Sendable>: Sendable {
    /// The execution's durable promise id.
    public let id: String
    let runtime: Runtime

    /// Waits for the execution to finish and returns its result, or throws its error.
    ///
    /// Waiting survives disconnections: the SDK re-registers its interest after reconnecting and every minute.
    /// For a function that returns nothing, `try await handle.result()` just waits.
    @discardableResult
    public func result() async throws -> Output {
        let record = try await runtime.settledRecord(of: id)
        return try runtime.outcome(of: record, as: Output.self)
    }

    /// Whether the execution has finished (asks the server when not known locally).
    public var isDone: Bool {
        get async throws {
            if runtime.subscriptions.settled(id) != nil { return true }
            let reply = try await runtime.transport.send(.promiseGet(id: id))
            guard reply.status == 200, let record = reply.promiseRecord else { throw reply.unexpected("promise.get") }
            runtime.subscriptions.update(record)
            return record.state.isSettled
        }
    }
}
