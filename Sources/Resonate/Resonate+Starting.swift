// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Resonate {
    /// Starts executing `function` in this process under the id `id`, and returns as soon as the execution's
    /// durable promise exists.
    ///
    /// The id makes the call idempotent: if an execution with this id exists (running anywhere, or finished), the
    /// handle attaches to it and nothing runs twice. The execution is targeted at this process's group, so if this
    /// process dies, another process of the group resumes it.
    ///
    /// ```swift
    /// let handle = try await resonate.beginRun(recordID, workflow, recordID, offset)
    /// ```
    public func beginRun<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ id: String,
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> Handle<Output> {
        try runtime.idScheme.validateRoot(id)
        try await ensureRunning()
        let encoded = try encodeArguments(repeat each arguments)
        let create = rootPromise(
            id: id,
            function: function.name,
            arguments: encoded,
            version: options.version ?? function.version,
            options: options
        )
        var taskCreate = TaskCreate(pid: runtime.pid, ttl: runtime.ttl, promise: create)
        // If the execution is canceled, this group replays it to run its cleanup (see `Pass+Cancellation`).
        taskCreate.requestsCleanup = true
        let reply = try await runtime.transport.send(.taskCreate(taskCreate))
        switch (reply.status, reply.payload) {
        case (200, .taskWithPromise(let task, let promise, let preload)):
            if task.state == .acquired {
                // The lease runs from now: renew it while the execution waits for a task slot, or a busy process
                // would lose it and the task would run twice.
                runtime.tasks.heartbeats.add(task.id, version: task.version)
                // Runs here from now, so the handle's outcome needs no listener unless it leaves.
                runtime.subscriptions.run(task.id)
                do {
                    try submit(.run(task: task, promise: promise, preload: preload))
                } catch {
                    _ = runtime.subscriptions.leave(task.id)
                    runtime.tasks.heartbeats.remove(task.id, version: task.version)
                    await runtime.releaseTask(task.id, version: task.version, logger: runtime.logger)
                    throw error
                }
            } else {
                runtime.subscriptions.remember(promise)
            }
        case (409, _):
            // The execution exists and is running, suspended or halted elsewhere: attach to it.
            break
        default:
            throw reply.unexpected("task.create \(id)")
        }
        // Interest in the outcome is registered when someone asks for it (`Handle.result()`), and only if the
        // execution does not run here: starting and awaiting an execution of this process costs one request.
        return Handle(id: id, runtime: runtime)
    }

    /// Runs `function` under the id `id` and waits for its result (see ``beginRun(_:_:_:options:)``).
    @discardableResult
    public func run<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ id: String,
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> Output {
        try await beginRun(id, function, repeat each arguments, options: options).result()
    }

    /// Starts `function` on any process of a group (by default this process's group) under the id `id`, and
    /// returns once the execution's durable promise exists. With no process of the group running, the work waits
    /// for one.
    public func beginRpc<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ id: String,
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> Handle<Output> {
        let encoded = try encodeArguments(repeat each arguments)
        return try await startRemote(id, function.name, encoded, version: options.version ?? function.version, options)
    }

    /// Starts a function by name — registered by any process of the target group, in any language.
    ///
    /// ```swift
    /// let handle = try await resonate.beginRpc(
    ///     id, "compute_something", id, cost, returning: Int.self, options: .target("workers"))
    /// ```
    public func beginRpc<each Arg: Encodable & Sendable, Output: Codable & Sendable>(
        _ id: String,
        _ name: String,
        _ arguments: repeat each Arg,
        returning: Output.Type = Output.self,
        options: CallOptions = CallOptions()
    ) async throws -> Handle<Output> {
        let encoded = try encodeArguments(repeat each arguments)
        return try await startRemote(id, name, encoded, version: options.version ?? 1, options)
    }

    /// Starts a function by name that returns nothing (in Python, `None`); `result()` of the handle waits for it.
    ///
    /// ```swift
    /// let handle = try await resonate.beginRpc(id, "compute_something", id, cost, options: .target("workers"))
    /// try await handle.result()
    /// ```
    public func beginRpc<each Arg: Encodable & Sendable>(
        _ id: String,
        _ name: String,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> Handle<Nothing> {
        try await beginRpc(id, name, repeat each arguments, returning: Nothing.self, options: options)
    }

    /// Starts a function by name with arguments known only at run time, as JSON values (for tools and bridges).
    public func beginRpc<Output: Codable & Sendable>(
        _ id: String,
        _ name: String,
        arguments: [JSONValue],
        returning: Output.Type = Output.self,
        options: CallOptions = CallOptions()
    ) async throws -> Handle<Output> {
        try await startRemote(id, name, arguments, version: options.version ?? 1, options)
    }

    /// Runs a registered function on any process of a group and waits for its result.
    @discardableResult
    public func rpc<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ id: String,
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> Output {
        try await beginRpc(id, function, repeat each arguments, options: options).result()
    }

    /// Runs a function by name on any process of a group and waits for its result.
    public func rpc<each Arg: Encodable & Sendable, Output: Codable & Sendable>(
        _ id: String,
        _ name: String,
        _ arguments: repeat each Arg,
        returning: Output.Type = Output.self,
        options: CallOptions = CallOptions()
    ) async throws -> Output {
        try await beginRpc(id, name, repeat each arguments, returning: Output.self, options: options).result()
    }

    /// Runs a function by name that returns nothing (in Python, `None`) on any process of a group, and waits until
    /// it has run.
    public func rpc<each Arg: Encodable & Sendable>(
        _ id: String,
        _ name: String,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws {
        try await beginRpc(id, name, repeat each arguments, options: options).result()
    }

    /// A handle on the existing execution `id`.
    ///
    /// - Throws: ``ResonateError/Code/notFound`` when no promise has that id.
    public func get<Output: Codable & Sendable>(
        _ id: String,
        returning: Output.Type = Output.self
    ) async throws -> Handle<Output> {
        try await ensureRunning()
        let reply = try await runtime.transport.send(.promiseGet(id: id))
        guard reply.status == 200, let record = reply.promiseRecord else { throw reply.unexpected("promise.get \(id)") }
        runtime.subscriptions.remember(record)
        return Handle(id: id, runtime: runtime)
    }

    func startRemote<Output: Codable & Sendable>(
        _ id: String,
        _ name: String,
        _ arguments: [JSONValue],
        version: Int,
        _ options: CallOptions
    ) async throws -> Handle<Output> {
        try runtime.idScheme.validateRoot(id)
        try await ensureRunning()
        let create = rootPromise(id: id, function: name, arguments: arguments, version: version, options: options)
        let reply = try await runtime.transport.send(.promiseCreate(create))
        guard reply.status == 200, let record = reply.promiseRecord else {
            throw reply.unexpected("promise.create \(id)")
        }
        runtime.subscriptions.remember(record)
        return Handle(id: id, runtime: runtime)
    }

    func rootPromise(
        id: String,
        function: String,
        arguments: [JSONValue],
        version: Int,
        options: CallOptions
    ) -> PromiseCreate {
        var tags = options.tags.filter { !$0.key.hasPrefix("resonate:") }
        tags[Tag.origin] = id
        tags[Tag.branch] = id
        tags[Tag.parent] = id
        tags[Tag.scope] = "global"
        tags[Tag.target] = runtime.address(forTarget: options.target)
        let data = TaskData(function: function, args: arguments, version: version)
        return PromiseCreate(
            id: id,
            timeoutAt: runtime.clock.now.milliseconds
                + (options.timeout ?? CallOptions.defaultTimeout).wholeMilliseconds,
            param: runtime.codec.value(ofJSON: data.json, headers: runtime.traceHeaders()),
            tags: tags
        )
    }
}
