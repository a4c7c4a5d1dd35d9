// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Context {
    /// Calls a registered function on any process of a group — possibly another language's SDK — and waits for
    /// its result.
    ///
    /// While the call runs elsewhere this execution suspends, holding no resources; it resumes, replaying, when the
    /// call is done.
    ///
    /// ```swift
    /// let receipt = try await ctx.rpc(charge, order, options: .target("payments"))
    /// ```
    @discardableResult
    public func rpc<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> Output {
        try await beginRpc(function, repeat each arguments, options: options).result()
    }

    /// Starts a remote call of a registered function; await the future's value later.
    public func beginRpc<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> DurableFuture<Output> {
        let encoded = try encodeArguments(repeat each arguments)
        return try await startRemote(
            name: function.name,
            arguments: encoded,
            version: options.version ?? function.version,
            options: options
        )
    }

    /// Calls a function by name — registered by any process of the target group, in any language — and waits
    /// for its result, decoded as `Output`.
    ///
    /// ```swift
    /// let sum = try await ctx.rpc("add", 1, 2, returning: Int.self, options: .target("python-workers"))
    /// ```
    public func rpc<each Arg: Encodable & Sendable, Output: Codable & Sendable>(
        _ name: String,
        _ arguments: repeat each Arg,
        returning: Output.Type = Output.self,
        options: CallOptions = CallOptions()
    ) async throws -> Output {
        try await beginRpc(name, repeat each arguments, returning: Output.self, options: options).result()
    }

    /// Calls a function by name that returns nothing (in Python, `None`), and waits until it has run.
    ///
    /// ```swift
    /// try await ctx.rpc("notify", orderID, options: .target("python-workers"))
    /// ```
    public func rpc<each Arg: Encodable & Sendable>(
        _ name: String,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws {
        try await beginRpc(name, repeat each arguments, options: options).result()
    }

    /// Starts a remote call of a function by name; await the future's value later.
    public func beginRpc<each Arg: Encodable & Sendable, Output: Codable & Sendable>(
        _ name: String,
        _ arguments: repeat each Arg,
        returning: Output.Type = Output.self,
        options: CallOptions = CallOptions()
    ) async throws -> DurableFuture<Output> {
        let encoded = try encodeArguments(repeat each arguments)
        return try await startRemote(name: name, arguments: encoded, version: options.version ?? 1, options: options)
    }

    /// Starts a remote call of a function by name that returns nothing; await the future's result to wait for it.
    public func beginRpc<each Arg: Encodable & Sendable>(
        _ name: String,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> DurableFuture<Nothing> {
        try await beginRpc(name, repeat each arguments, returning: Nothing.self, options: options)
    }

    /// Starts a function on a group as a new, independent execution and returns its id without waiting.
    ///
    /// A detached execution is not this function's child: this function does not wait for it, and it keeps running
    /// when this one finishes. Use it for fire-and-forget work and to restart long loops with a fresh history.
    @discardableResult
    public func detached<each Arg: Encodable & Sendable>(
        _ name: String,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> String {
        let encoded = try encodeArguments(repeat each arguments)
        let position = nextChildID()
        try pass.checkActive()
        let separator = runtime.idScheme == .colon ? ":" : "."
        let id = "\(info.originID)\(separator)d\(Self.hash(position))"
        let data = TaskData(function: name, args: encoded, version: options.version ?? 1)
        let record = try await pass.create(
            PromiseCreate(
                id: id,
                timeoutAt: childDeadline(options.timeout),
                param: runtime.codec.value(ofJSON: data.json, headers: runtime.traceHeaders()),
                tags: [
                    Tag.origin: info.originID, Tag.parent: info.originID, Tag.branch: id, Tag.scope: "global",
                    Tag.target: runtime.address(forTarget: options.target),
                ]
            )
        )
        try checkReplay(record, expected: .remote(name))
        return id
    }

    /// Starts a detached execution of a registered function (see ``detached(_:_:options:)``).
    @discardableResult
    public func detached<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> String {
        try await detached(
            function.name,
            repeat each arguments,
            options: options.version == nil ? options.version(function.version) : options
        )
    }

    func startRemote<Output: Codable & Sendable>(
        name: String,
        arguments: [JSONValue],
        version: Int,
        options: CallOptions
    ) async throws -> DurableFuture<Output> {
        let id = nextChildID()
        try pass.checkActive()
        var tags = lineageTags(branch: id)
        tags[Tag.scope] = "global"
        tags[Tag.target] = runtime.address(forTarget: options.target)
        let data = TaskData(function: name, args: arguments, version: version)
        let record = try await pass.create(
            PromiseCreate(
                id: id,
                timeoutAt: childDeadline(options.timeout),
                param: runtime.codec.value(ofJSON: data.json, headers: runtime.traceHeaders()),
                tags: tags
            )
        )
        try checkReplay(record, expected: .remote(name))
        if let canceled = try await pass.cancellation(of: record) { return .settled(id, .failure(canceled)) }
        if record.state.isSettled {
            return .settled(id, Result { try runtime.outcome(of: record, as: Output.self) })
        }
        pass.addPendingRemote(id)
        return .remote(id, pass: pass)
    }

    /// FNV-1a, 64 bits, as 16 hex digits: a stable, short id component derived from a call position.
    static func hash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
