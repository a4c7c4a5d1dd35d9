// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
public import Logging
public import ResonateEngine
import ResonateProtocol
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// Durable functions: register them, start executions, and — as a `Service` — execute the work of your group.
///
/// Against a server (executions survive this process and spread over all processes of the group):
///
/// ```swift
/// let resonate = Resonate(url: "http://localhost:8001", group: "workers")
/// let greet = try resonate.register("greet") { (ctx: Context, name: String) async throws -> String in
///     "Hello, \(name)!"
/// }
/// try await resonate.withRunning { resonate in
///     print(try await resonate.run("greet-ada", greet, "Ada"))
/// }
/// ```
///
/// Or in-process, with the engine embedded and state in a SQLite file (no server needed):
///
/// ```swift
/// let resonate = try Resonate.local(path: "resonate.db")
/// ```
///
/// A `Resonate` must be running — ``run()`` in a `ServiceGroup`, ``withRunning(_:)`` or ``serve()`` — for
/// anything to execute: it receives work and results, renews leases, and runs the executions.
public final class Resonate: Service, Sendable {
    let runtime: Runtime
    private let source: any MessageSource
    private let engine: Engine<SQLiteStore>?
    private let work: AsyncStream<WorkItem>
    private let workContinuation: AsyncStream<WorkItem>.Continuation
    private let lifecycle = Mutex(Lifecycle())
    private let parked: ParkedPasses
    let resumeCounters = ResumeCounters()
    private let listenerRefreshInterval: Duration

    /// Promises by id: read, create, settle and search them.
    public let promises: Promises
    /// Cron schedules that start executions.
    public let schedules: Schedules

    enum WorkItem: Sendable {
        case execute(taskID: String, version: Int64)
        case run(task: TaskRecord, promise: PromiseRecord, preload: [PromiseRecord])
    }

    private struct Lifecycle {
        enum Phase { case idle, starting, running, stopping, stopped }
        var phase = Phase.idle
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var startWaiters: [CheckedContinuation<Void, any Error>] = []

        /// Ends the wait of ``Resonate/waitUntilRunning()`` callers; returns what to resume them with.
        mutating func takeStartWaiters() -> [CheckedContinuation<Void, any Error>] {
            defer { startWaiters.removeAll() }
            return startWaiters
        }
    }

    // MARK: Creating

    /// Connects to the server at `url`.
    ///
    /// - Parameters:
    ///   - url: the server, e.g. `http://localhost:8001`.
    ///   - group: the worker group this process joins. Default `default`.
    ///   - pid: this process's id within the group. Default: random.
    ///   - ttl: the lease length. Default 60 s.
    ///   - token: a JWT for servers with authentication.
    ///   - logger: where the SDK logs.
    public convenience init(
        url: String,
        group: String = "default",
        pid: String? = nil,
        ttl: Duration = .seconds(60),
        token: String? = nil,
        logger: Logger = Logger(label: "resonate")
    ) {
        var configuration = Configuration()
        configuration.url = url
        configuration.group = group
        if let pid { configuration.pid = pid }
        configuration.ttl = ttl
        configuration.token = token
        try! self.init(configuration: configuration, logger: logger)  // Remote configurations cannot fail.
    }

    /// Runs the engine in this process with state in a SQLite file (`nil`: in memory, gone with the process).
    ///
    /// Executions survive a restart of the process when `path` is given: on start, the work of a previous run is
    /// picked up where it stopped. Only one process may use the file at a time.
    public static func local(
        path: String? = nil,
        group: String = "default",
        logger: Logger = Logger(label: "resonate")
    ) throws -> Resonate {
        var configuration = Configuration()
        configuration.group = group
        return try Resonate(configuration: configuration, storePath: path, logger: logger)
    }

    /// Connects as the environment says (see ``Configuration/fromEnvironment(_:)``); runs locally in memory when
    /// no server is configured.
    public static func fromEnvironment(logger: Logger = Logger(label: "resonate")) throws -> Resonate {
        try Resonate(configuration: .fromEnvironment(), logger: logger)
    }

    /// Creates an instance from a full configuration.
    ///
    /// - Parameters:
    ///   - configuration: every setting; a `url` selects remote mode, none local mode.
    ///   - storePath: local mode only: the SQLite file (`nil` for memory).
    ///   - clock: the clock for deadlines, sleeps and retries; inject a `ManualClock` in tests.
    ///   - logger: where the SDK logs.
    public init(
        configuration: Configuration,
        storePath: String? = nil,
        clock: any EngineClock = SystemClock(),
        logger: Logger = Logger(label: "resonate")
    ) throws {
        let transport: any Transport
        if let url = configuration.url {
            transport = HTTPTransport(
                baseURL: url,
                token: configuration.token,
                tracer: configuration.tracer,
                client: .sdk,
                retryLimit: configuration.unavailableRetryLimit,
                requestTimeout: configuration.requestTimeout,
                logger: logger
            )
            source = EventStreamSource(
                baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                group: configuration.group,
                pid: configuration.pid,
                token: configuration.token,
                client: .sdk,
                logger: logger
            )
            engine = nil
        } else {
            var engineConfiguration = EngineConfiguration()
            engineConfiguration.idRules = configuration.idScheme == .colon ? .colon : .dot
            let store = try SQLiteStore(location: storePath.map { .file($0) } ?? .memory)
            let engine = Engine(store: store, configuration: engineConfiguration, clock: clock, logger: logger)
            let sink = LocalMessageSink()
            engine.attach(sink)
            self.engine = engine
            transport = LocalTransport(engine: engine)
            source = LocalSource(sink: sink)
        }
        runtime = Runtime(
            group: configuration.group,
            pid: configuration.pid,
            ttl: Runtime.milliseconds(configuration.ttl),
            idScheme: configuration.idScheme,
            defaultRetryPolicy: configuration.retryPolicy,
            transport: transport,
            clock: clock,
            tracer: configuration.tracer,
            logger: logger,
            maxConcurrentTasks: configuration.maxConcurrentTasks,
            heldSleepLimit: configuration.heldSleepLimit
        )
        parked = ParkedPasses(
            capacity: configuration.maxParkedExecutions, byteCapacity: configuration.maxParkedExecutionMemory)
        listenerRefreshInterval = configuration.listenerRefreshInterval
        (work, workContinuation) = AsyncStream.makeStream(of: WorkItem.self)
        promises = Promises(runtime: runtime)
        schedules = Schedules(runtime: runtime)
    }

    /// This process's group.
    /// Suspended executions this process keeps in memory now.
    var parkedCount: Int { parked.count }

    public var group: String { runtime.group }
    /// This process's id within its group.
    public var pid: String { runtime.pid }

    // MARK: Registering

    /// Registers a durable function under `name`; returns a typed reference for calling it.
    ///
    /// ```swift
    /// let deleteBatch = try resonate.register("deleteBatch") { (ctx: Context, recordID: String) async throws -> Bool in
    ///     try await database.deleteBatch(of: recordID)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: the name callers use, in any language.
    ///   - version: functions are looked up by name and version; bump it for an incompatible change.
    ///   - retry: how a failing call is retried (leaf functions only). Default: the instance's policy.
    ///   - body: the function: a ``Context`` and its arguments.
    /// - Throws: ``ResonateError/Code/alreadyRegistered`` for a duplicate name and version.
    @discardableResult
    public func register<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ name: String,
        version: Int = 1,
        retry: RetryPolicy? = nil,
        _ body: @escaping @Sendable (Context, repeat each Arg) async throws -> Output
    ) throws -> DurableFunction<repeat each Arg, Output> {
        let codec = runtime.codec
        try runtime.registry.add(
            RegisteredFunction(name: name, version: version, retryPolicy: retry) { context, arguments in
                let decoder = ArgumentDecoder(arguments, function: name)
                let decoded = (repeat try decoder.next((each Arg).self))
                // Arguments left over mean the caller meant another function (or another version of this one).
                try decoder.finish()
                let output = try await body(context, repeat each decoded)
                return try codec.encode(output)
            }
        )
        return DurableFunction(name: name, version: version, retryPolicy: retry, body: body)
    }

    /// Registers a durable function that returns nothing (its result is ``Nothing``).
    @discardableResult
    public func register<each Arg: Codable & Sendable>(
        _ name: String,
        version: Int = 1,
        retry: RetryPolicy? = nil,
        _ body: @escaping @Sendable (Context, repeat each Arg) async throws -> Void
    ) throws -> DurableFunction<repeat each Arg, Nothing> {
        try register(name, version: version, retry: retry) {
            (context: Context, arguments: repeat each Arg) -> Nothing in
            try await body(context, repeat each arguments)
            return Nothing()
        }
    }

    /// Makes an error type travel through promises: a durable function that throws it rejects its promise with the
    /// error's data, and callers in Swift get the same type back (other callers see its name and message).
    public func registerError<E: Error & Codable & Sendable>(_ type: E.Type) {
        runtime.errors.register(type)
    }

    /// Provides a value that durable functions read with ``Context/dependency(_:)``, keyed by its type.
    public func setDependency<T: Sendable>(_ value: T) {
        runtime.setDependency(value)
    }

    // MARK: Starting executions

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
        try ensureRunning()
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
                runtime.heartbeats.add(task.id, version: task.version)
                do {
                    try submit(.run(task: task, promise: promise, preload: preload))
                } catch {
                    runtime.heartbeats.remove(task.id, version: task.version)
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
        // Interest in the outcome is registered when someone asks for it (`Handle.result()`), so starting an
        // execution that nobody waits for here costs one request.
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
    ///     id, "compute_something", id, cost, returning: Nothing.self, options: .target("workers"))
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

    /// A handle on the existing execution `id`.
    ///
    /// - Throws: ``ResonateError/Code/notFound`` when no promise has that id.
    public func get<Output: Codable & Sendable>(
        _ id: String,
        returning: Output.Type = Output.self
    ) async throws -> Handle<Output> {
        try ensureRunning()
        let reply = try await runtime.transport.send(.promiseGet(id: id))
        guard reply.status == 200, let record = reply.promiseRecord else { throw reply.unexpected("promise.get \(id)") }
        runtime.subscriptions.remember(record)
        return Handle(id: id, runtime: runtime)
    }

    private func startRemote<Output: Codable & Sendable>(
        _ id: String,
        _ name: String,
        _ arguments: [JSONValue],
        version: Int,
        _ options: CallOptions
    ) async throws -> Handle<Output> {
        try runtime.idScheme.validateRoot(id)
        try ensureRunning()
        let create = rootPromise(id: id, function: name, arguments: arguments, version: version, options: options)
        let reply = try await runtime.transport.send(.promiseCreate(create))
        guard reply.status == 200, let record = reply.promiseRecord else {
            throw reply.unexpected("promise.create \(id)")
        }
        runtime.subscriptions.remember(record)
        return Handle(id: id, runtime: runtime)
    }

    private func rootPromise(
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
            timeoutAt: runtime.clock.now() + Runtime.milliseconds(options.timeout ?? CallOptions.defaultTimeout),
            param: runtime.codec.value(ofJSON: data.json, headers: runtime.traceHeaders()),
            tags: tags
        )
    }

    // MARK: Running

    /// Executes this group's work until ``stop()`` or graceful shutdown: receives messages, renews leases, runs
    /// executions (at most `maxConcurrentTasks` at once).
    ///
    /// Stopping stops taking new work and returns once the executions in flight have finished or suspended.
    public func run() async throws {
        try await start()
        await runLoops()
    }

    /// Recovers local state, then accepts work. Nothing is accepted before recovery is complete, so recovery
    /// never touches work started by this run.
    private func start() async throws {
        try lifecycle.withLock { lifecycle in
            guard lifecycle.phase == .idle else {
                throw ResonateError(.notRunning, "a Resonate instance runs once; create a new one to run again")
            }
            lifecycle.phase = .starting
        }
        if let engine {
            // Local mode owns its database exclusively, so leases held there belong to a previous run of this
            // process that is gone: hand that work out again now instead of after the leases expire.
            do {
                try await engine.releaseAllLeases()
            } catch {
                let waiters = lifecycle.withLock { lifecycle in
                    lifecycle.phase = .stopped
                    return lifecycle.takeStartWaiters()
                }
                for waiter in waiters { waiter.resume(throwing: error) }
                throw error
            }
        }
        let waiters = lifecycle.withLock { lifecycle in
            // A stop requested during recovery wins: the work stream is already finished.
            if lifecycle.phase == .starting { lifecycle.phase = .running }
            return lifecycle.takeStartWaiters()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until this instance accepts work (``beginRun(_:_:_:options:)`` and friends throw before that).
    ///
    /// For services that run next to this one in a `ServiceGroup` and start executions:
    ///
    /// ```swift
    /// try await resonate.waitUntilRunning()
    /// for await message in consumer.messages { … try await resonate.beginRun(…) … }
    /// ```
    ///
    /// - Throws: ``ResonateError/Code/notRunning`` when the instance stops, or failed to start, before running.
    public func waitUntilRunning() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let running = lifecycle.withLock { lifecycle -> Bool? in
                switch lifecycle.phase {
                case .running:
                    return true
                case .stopping, .stopped:
                    return false
                case .idle, .starting:
                    lifecycle.startWaiters.append(continuation)
                    return nil
                }
            }
            switch running {
            case true?: continuation.resume()
            case false?: continuation.resume(throwing: ResonateError(.notRunning, "this Resonate instance has stopped"))
            case nil: break
            }
        }
    }

    private func runLoops() async {
        let runner = TaskRunner(runtime: runtime, parked: parked, counters: resumeCounters)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { background in
                if let engine {
                    background.addTask {
                        do {
                            try await engine.run()
                        } catch {
                            self.runtime.logger.error(
                                "the in-process engine stopped; no timers fire and no messages go out",
                                metadata: ["error": "\(error)"])
                        }
                    }
                }
                background.addTask {
                    await self.source.run(
                        onConnect: { await self.refreshListeners() },
                        onMessage: { message in self.handle(message) }
                    )
                }
                background.addTask { await self.renewLeases() }
                background.addTask { await self.refreshListenersPeriodically() }
                // Discarding: a finished execution's child task is freed at once, not kept until shutdown.
                await withDiscardingTaskGroup { executions in
                    for await item in self.work {
                        executions.addTask {
                            switch item {
                            case .execute(let taskID, let version):
                                await runner.acquireAndRun(taskID: taskID, version: version)
                            case .run(let task, let promise, let preload):
                                await runner.runAcquired(task: task, promise: promise, preload: preload)
                            }
                        }
                    }
                    // Stopping: executions kept in memory unwind (their tasks are suspended on the server and
                    // resume by replay wherever they run next), so that the group can finish.
                    for pass in self.parked.close() { pass.abandon() }
                }
                background.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginStopping()
        }
        let waiters = lifecycle.withLock { lifecycle -> [CheckedContinuation<Void, Never>] in
            lifecycle.phase = .stopped
            defer { lifecycle.stopWaiters.removeAll() }
            return lifecycle.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops taking new work and waits until the executions in flight have finished or suspended and ``run()``
    /// has returned.
    public func stop() async {
        beginStopping()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lifecycle.withLock { lifecycle -> Bool in
                switch lifecycle.phase {
                case .idle, .stopped:
                    return true
                case .starting, .running, .stopping:
                    lifecycle.stopWaiters.append(continuation)
                    return false
                }
            }
            if done { continuation.resume() }
        }
    }

    /// Runs this instance while `body` runs, then stops it.
    ///
    /// ```swift
    /// let answer = try await resonate.withRunning { resonate in
    ///     try await resonate.run("answer", compute, 42)
    /// }
    /// ```
    public func withRunning<T: Sendable>(_ body: @Sendable (Resonate) async throws -> T) async throws -> T {
        try await start()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await self.runLoops()
                return nil
            }
            do {
                let result = try await body(self)
                await stop()
                try await group.waitForAll()
                return result
            } catch {
                await stop()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Runs this instance until the process receives SIGINT or SIGTERM, then stops gracefully.
    public func serve() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [ServiceGroupConfiguration.ServiceConfiguration(service: self)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: runtime.logger
            )
        )
        try await group.run()
    }

    private func beginStopping() {
        let (stop, startWaiters) = lifecycle.withLock { lifecycle in
            guard lifecycle.phase == .running || lifecycle.phase == .starting else {
                return (false, [CheckedContinuation<Void, any Error>]())
            }
            lifecycle.phase = .stopping
            return (true, lifecycle.takeStartWaiters())
        }
        for waiter in startWaiters {
            waiter.resume(throwing: ResonateError(.notRunning, "this Resonate instance stopped before it ran"))
        }
        if stop { workContinuation.finish() }
    }

    private func ensureRunning() throws {
        let phase = lifecycle.withLock { $0.phase }
        guard phase == .running else {
            throw ResonateError(
                .notRunning,
                "this Resonate instance is not running; call run() (as a Service), serve() or withRunning(_:) first"
            )
        }
    }

    private func submit(_ item: WorkItem) throws {
        if case .terminated = workContinuation.yield(item) {
            throw ResonateError(.notRunning, "this Resonate instance is stopping")
        }
    }

    private func handle(_ message: Message) {
        switch message {
        case .execute(let taskID, let version):
            do {
                try submit(.execute(taskID: taskID, version: version))
            } catch {
                // Stopping: the server sends the execute again (to another process) when the task's retry is due.
                runtime.logger.debug("not taking a task while stopping", metadata: ["task": "\(taskID)"])
            }
        case .unblock(let promise):
            runtime.subscriptions.update(promise)
        }
    }

    private func renewLeases() async {
        // A third of the lease: one late or lost heartbeat still leaves time for the next before the lease ends.
        let interval = max(runtime.ttl / 3, 100)
        while !Task.isCancelled {
            do {
                try await runtime.clock.sleep(until: runtime.clock.now() + interval)
            } catch {
                return
            }
            let due = runtime.heartbeats.due(at: runtime.clock.now())
            guard !due.isEmpty else { continue }
            do {
                _ = try await runtime.transport.send(.taskHeartbeat(TaskHeartbeat(pid: runtime.pid, tasks: due)))
            } catch {
                runtime.logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func refreshListenersPeriodically() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: listenerRefreshInterval)
            } catch {
                return
            }
            await refreshListeners()
        }
    }

    /// Re-registers interest in every pending handle: `unblock` messages are not redelivered after a reconnection.
    private func refreshListeners() async {
        for id in runtime.subscriptions.pendingIDs {
            do {
                try await runtime.registerListener(id)
            } catch {
                runtime.logger.debug("listener refresh failed", metadata: ["promise": "\(id)", "error": "\(error)"])
            }
        }
    }
}
