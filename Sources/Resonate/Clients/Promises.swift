// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol

/// Durable promises by id: read, create, settle and search them — for example to resolve a latent promise a
/// workflow waits on (human in the loop).
///
/// ```swift
/// try await resonate.promises.resolve(approvalID, true)
/// ```
public struct Promises: Sendable {
    let runtime: Runtime

    /// The promise `id`.
    ///
    /// - Throws: ``ResonateError/Code/notFound`` when it does not exist.
    public func get(_ id: String) async throws -> PromiseRecord {
        try await promise(.promiseGet(id: id), "promise.get \(id)")
    }

    /// Creates a promise (or returns the existing one with this id) with a typed param.
    public func create<Param: Encodable>(
        _ id: String,
        timeout: Duration,
        param: Param,
        tags: [String: String] = [:]
    ) async throws -> PromiseRecord {
        try await create(id, timeout: timeout, encodedParam: try runtime.codec.encode(param), tags: tags)
    }

    /// Creates a promise without a param (or returns the existing one with this id).
    public func create(_ id: String, timeout: Duration, tags: [String: String] = [:]) async throws -> PromiseRecord {
        try await create(id, timeout: timeout, encodedParam: .empty, tags: tags)
    }

    private func create(
        _ id: String,
        timeout: Duration,
        encodedParam: Value,
        tags: [String: String]
    ) async throws -> PromiseRecord {
        let create = PromiseCreate(
            id: id,
            timeoutAt: runtime.clock.now.milliseconds + timeout.wholeMilliseconds,
            param: encodedParam,
            tags: tags
        )
        return try await promise(.promiseCreate(create), "promise.create \(id)")
    }

    /// Resolves a pending promise with `value`; a settled promise is returned unchanged.
    @discardableResult
    public func resolve<T: Encodable>(_ id: String, _ value: T) async throws -> PromiseRecord {
        try await settle(id, .resolved, try runtime.codec.encode(value))
    }

    /// Resolves a pending promise without a value.
    @discardableResult
    public func resolve(_ id: String) async throws -> PromiseRecord {
        try await settle(id, .resolved, .empty)
    }

    /// Rejects a pending promise with `error`; whoever awaits it gets the error.
    @discardableResult
    public func reject(_ id: String, _ error: any Error) async throws -> PromiseRecord {
        try await settle(id, .rejected, runtime.errors.encode(error))
    }

    /// Rejects a pending promise with a message.
    @discardableResult
    public func reject(_ id: String, message: String) async throws -> PromiseRecord {
        try await reject(id, ApplicationError(message: message))
    }

    /// Cancels a pending promise; whoever awaits it gets ``ResonateError/Code/canceled``.
    @discardableResult
    public func cancel(_ id: String) async throws -> PromiseRecord {
        try await settle(id, .rejectedCanceled, .empty)
    }

    private func settle(_ id: String, _ state: PromiseState, _ value: Value) async throws -> PromiseRecord {
        let record = try await promise(
            .promiseSettle(PromiseSettle(id: id, state: state, value: value)),
            "promise.settle \(id)"
        )
        runtime.subscriptions.update(record)
        return record
    }

    /// One page of the promises matching the filters, ordered by id; pass the returned cursor for the next page.
    public func search(
        state: PromiseState? = nil,
        tags: [String: String] = [:],
        limit: Int = 100,
        cursor: String? = nil
    ) async throws -> (promises: [PromiseRecord], cursor: String?) {
        let reply = try await runtime.transport.send(
            .promiseSearch(PromiseSearch(state: state, tags: tags, limit: limit, cursor: cursor))
        )
        guard reply.status == 200, case .promises(let promises, let next) = reply.payload else {
            throw reply.unexpected("promise.search")
        }
        return (promises, next)
    }

    /// The value of a settled promise, decoded as `T`; throws the error of a rejected one.
    public func value<T: Decodable & Sendable>(of record: PromiseRecord, as type: T.Type = T.self) throws -> T {
        try runtime.outcome(of: record, as: T.self)
    }

    private func promise(_ request: Request, _ description: String) async throws -> PromiseRecord {
        let reply = try await runtime.transport.send(request)
        guard reply.status == 200, let record = reply.promiseRecord else { throw reply.unexpected(description) }
        return record
    }
}
