// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
public import Logging
public import ResonateEngine
import ResonateProtocol
public import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
    let source: any MessageSource
    let engine: Engine<SQLiteStore>?
    let work: AsyncStream<WorkItem>
    let workContinuation: AsyncStream<WorkItem>.Continuation
    let lifecycle = Mutex(Lifecycle())
    let parked: ParkedPasses
    /// The functions registered here: what this process can run.
    let registry = FunctionRegistry()
    let resumeCounters = ResumeCounters()
    let listenerRefreshInterval: Duration

    /// Promises by id: read, create, settle and search them.
    public let promises: Promises
    /// Cron schedules that start executions.
    public let schedules: Schedules

    enum WorkItem: Sendable {
        case execute(taskID: String, version: Int64)
        case run(task: TaskRecord, promise: PromiseRecord, preload: [PromiseRecord])
        /// An execution released while it holds a sleep, replayed from memory when the sleep ends.
        case wake(SleepingExecution)
    }

    typealias Lifecycle = LifecycleStateMachine<CheckedContinuation<Void, any Error>, CheckedContinuation<Void, Never>>

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
        configuration.mode = .remote(url: url)
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
        configuration.mode = .local(path: path)
        configuration.group = group
        return try Resonate(configuration: configuration, logger: logger)
    }

    /// Connects as the environment says (see ``Configuration/fromEnvironment(_:)``); runs locally in memory when
    /// no server is configured, and logs that it does.
    public static func fromEnvironment(logger: Logger = Logger(label: "resonate")) throws -> Resonate {
        let configuration = try Configuration.fromEnvironment()
        if case .local = configuration.mode {
            logger.notice("neither RESONATE_URL nor RESONATE_HOST is set: running locally, in memory")
        }
        return try Resonate(configuration: configuration, logger: logger)
    }

    /// Creates an instance from a full configuration.
    ///
    /// - Parameters:
    ///   - configuration: every setting, the mode (``Configuration/Mode``) first.
    ///   - clock: the clock for deadlines, sleeps and retries; inject a `ManualClock` in tests.
    ///   - logger: where the SDK logs.
    /// - Throws: in local mode, when the SQLite file cannot be opened.
    public init(
        configuration: Configuration,
        clock: any EngineClock = SystemClock(),
        logger: Logger = Logger(label: "resonate")
    ) throws {
        let transport: any Transport
        switch configuration.mode {
        case .remote(let url):
            transport = HTTPTransport(
                client: ProtocolClient(
                    baseURL: url,
                    token: configuration.token,
                    http: .sdk,
                    requestTimeout: configuration.requestTimeout,
                    retryLimit: configuration.unavailableRetryLimit,
                    tracer: configuration.tracer,
                    logger: logger
                ))
            source = EventStreamSource(
                baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                group: configuration.group,
                pid: configuration.pid,
                token: configuration.token,
                client: .sdk,
                logger: logger
            )
            engine = nil
        case .local(let storePath):
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
            ttl: configuration.ttl.wholeMilliseconds,
            idScheme: configuration.idScheme,
            defaultRetryPolicy: configuration.retryPolicy,
            transport: transport,
            clock: clock,
            tracer: configuration.tracer,
            logger: logger,
            maxConcurrentTasks: configuration.maxConcurrentTasks,
            heldSleepLimit: configuration.heldSleepLimit,
            heldSleepHistoryLimit: configuration.heldSleepHistoryLimit
        )
        parked = ParkedPasses(
            capacity: configuration.maxParkedExecutions, byteCapacity: configuration.maxParkedExecutionMemory)
        listenerRefreshInterval = configuration.listenerRefreshInterval
        (work, workContinuation) = AsyncStream.makeStream(of: WorkItem.self)
        promises = Promises(runtime: runtime)
        schedules = Schedules(runtime: runtime)
    }

    /// Suspended executions this process keeps in memory now.
    var parkedCount: Int { parked.count }

    /// This process's group.
    public var group: String { runtime.group }
    /// This process's id within its group.
    public var pid: String { runtime.pid }
}
