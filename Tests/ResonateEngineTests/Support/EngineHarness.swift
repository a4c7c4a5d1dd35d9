// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import ResonatePostgres
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

/// A sink that records every message and accepts it (or, for the groups a test names, reports it unreachable or
/// relayed to another replica).
final class RecordingSink: MessageSink {
    private let delivered = Mutex<[(Message, Address)]>([])
    private let unreachableGroups = Mutex<Set<String>>([])
    private let relayingGroups = Mutex<Set<String>>([])
    /// Every delivered message, in order, for tests that wait for one to arrive.
    let stream: AsyncStream<Message>
    private let continuation: AsyncStream<Message>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Message.self)
    }

    func deliver(_ message: Message, to address: Address) -> DeliveryOutcome {
        switch address {
        case .anycast(let group, _), .unicast(let group, _):
            if unreachableGroups.withLock({ $0.contains(group) }) { return .unreachable }
            if relayingGroups.withLock({ $0.contains(group) }) {
                delivered.withLock { $0.append((message, address)) }
                continuation.yield(message)
                return .relayed
            }
        case .http: break
        }
        delivered.withLock { $0.append((message, address)) }
        continuation.yield(message)
        return .delivered
    }

    /// Messages to `group` are recorded and reported relayed, so they await an acknowledgement.
    func setRelaying(_ group: String) {
        _ = relayingGroups.withLock { $0.insert(group) }
    }

    func setUnreachable(_ group: String, _ unreachable: Bool) {
        unreachableGroups.withLock { groups in
            if unreachable { groups.insert(group) } else { groups.remove(group) }
        }
    }

    /// Removes and returns the messages recorded so far.
    func take() -> [(Message, Address)] {
        delivered.withLock { messages in
            defer { messages.removeAll() }
            return messages
        }
    }

    /// The `(taskID, version)` of the execute messages recorded so far, removing them.
    func takeExecutes() -> [TaskReference] {
        take().compactMap { message, _ in
            if case .execute(let id, let version) = message { return TaskReference(id: id, version: version) }
            return nil
        }
    }
}

/// The stores the engine's contract suites run against: every expectation must hold for each.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    /// An in-memory SQLite store.
    case sqlite
    /// A PostgreSQL store on a fresh database of the suite's server (see ``SharedPostgres``).
    case postgres

    var description: String { rawValue }
}

/// What the tests use of an engine, whatever its store.
protocol HarnessEngine: Sendable {
    func execute(_ request: Request, debugTime: Int64?) async -> Reply
    func runTimerPass(at time: Int64?) async throws -> TimerPassResult
    func nextDeadline() async throws -> Int64?
    func leasedTaskCount(process pid: String) -> Int
    var unacknowledgedRelayCount: Int { get }
    func run() async throws
    func storedPromise(_ id: String) async throws -> PromiseRecord?
    func storedTask(_ id: String) async throws -> TaskRow?
    func storedSnapshot() async throws -> StoreSnapshot
}

extension HarnessEngine {
    @discardableResult
    func runTimerPass() async throws -> TimerPassResult {
        try await runTimerPass(at: nil)
    }
}

extension Engine: HarnessEngine {
    func storedPromise(_ id: String) async throws -> PromiseRecord? {
        try await store.read { try await $0.promise(id: id) }
    }

    func storedTask(_ id: String) async throws -> TaskRow? {
        try await store.read { try await $0.task(id: id) }
    }

    func storedSnapshot() async throws -> StoreSnapshot {
        try await store.read { try await $0.snapshot() }
    }
}

/// An engine with a manual clock and a recording sink, on the store a test case names.
struct EngineHarness: Sendable {
    static let start: Int64 = 1_000_000
    static let retry: Int64 = 30_000
    static let worker = "poll://any@workers"

    let clock: ManualClock
    let sink: RecordingSink
    let engine: any HarnessEngine

    /// Runs `body` with a fresh engine on `store`; a PostgreSQL store runs (its pool and migrations) for the
    /// duration of `body` and is stopped afterwards.
    static func with(
        _ store: StoreKind,
        debug: Bool = true,
        rules: IDRules = .colon,
        _ body: (EngineHarness) async throws -> Void
    ) async throws {
        var configuration = EngineConfiguration()
        configuration.isDebugEnabled = debug
        configuration.idRules = rules
        let clock = ManualClock(now: start)
        let sink = RecordingSink()
        switch store {
        case .sqlite:
            let engine = Engine(store: try SQLiteStore(location: .memory), configuration: configuration, clock: clock)
            engine.attach(sink)
            try await body(EngineHarness(clock: clock, sink: sink, engine: engine))
        case .postgres:
            let postgres = try SharedPostgres.server()
            var storeConfiguration = try PostgresStore.Configuration(url: try await postgres.createDatabase())
            storeConfiguration.maximumConnections = 2
            var logger = Logger(label: "resonate.test.postgres")
            logger.logLevel = .warning
            let postgresStore = try PostgresStore(configuration: storeConfiguration, logger: logger)
            let engine = Engine(store: postgresStore, configuration: configuration, clock: clock)
            engine.attach(sink)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await postgresStore.run() }
                defer { group.cancelAll() }
                try await body(EngineHarness(clock: clock, sink: sink, engine: engine))
            }
        }
    }

    var now: Int64 { clock.now.milliseconds }

    @discardableResult
    func send(_ request: Request) async -> Reply {
        await engine.execute(request, debugTime: nil)
    }

    /// Sends a request built from JSON, as a client would.
    func send(kind: String, _ data: JSONValue) async -> Reply {
        do {
            return await engine.execute(try Request(kind: kind, data: data), debugTime: nil)
        } catch {
            return Reply(error)
        }
    }

    func promise(_ id: String) async throws -> PromiseRecord? {
        try await engine.storedPromise(id)
    }

    func task(_ id: String) async throws -> TaskRow? {
        try await engine.storedTask(id)
    }

    func snapshot() async throws -> StoreSnapshot {
        try await engine.storedSnapshot()
    }

    // MARK: Builders

    @discardableResult
    func createPromise(_ id: String, timeout: Int64 = 60_000, tags: [String: String] = [:]) async -> Reply {
        await send(.promiseCreate(PromiseCreate(id: id, timeoutAt: now + timeout, tags: tags)))
    }

    /// A promise with a target: its task is pending at version 0 and an execute was sent.
    @discardableResult
    func createTaskPromise(_ id: String, timeout: Int64 = 60_000, tags: [String: String] = [:]) async -> Reply {
        var tags = tags
        tags[Tag.target] = Self.worker
        return await createPromise(id, timeout: timeout, tags: tags)
    }

    /// `task.create` for `id`; the task is acquired at version 1 by `pid`.
    @discardableResult
    func createTask(_ id: String, pid: String = "p1", ttl: Int64 = 10_000, timeout: Int64 = 60_000) async -> Reply {
        await send(
            .taskCreate(
                TaskCreate(
                    pid: pid,
                    ttl: ttl,
                    promise: PromiseCreate(
                        id: id,
                        timeoutAt: now + timeout,
                        tags: [Tag.target: Self.worker, Tag.origin: id, Tag.branch: id, Tag.parent: id]
                    )
                )
            )
        )
    }
}

extension Reply {
    var promise: PromiseRecord? {
        switch payload {
        case .promise(let promise): promise
        case .taskWithPromise(_, let promise, _): promise
        case .fenced(let outcome): outcome.promise
        default: nil
        }
    }

    var task: TaskRecord? {
        switch payload {
        case .task(let task): task
        case .taskWithPromise(let task, _, _): task
        default: nil
        }
    }

    var preload: [PromiseRecord]? {
        switch payload {
        case .preload(let preload): preload
        case .taskWithPromise(_, _, let preload): preload
        case .fenced(let outcome): outcome.preload
        default: nil
        }
    }

    var errorMessage: String? {
        if case .error(let message) = payload { return message }
        return nil
    }
}
