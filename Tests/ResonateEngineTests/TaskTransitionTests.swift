// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Testing

/// The task transition table of PROTOCOL §3.8, one row per case and store.
@Suite("Task transitions", .sharedPostgres)
struct TaskTransitionTests {
    enum Start: String, CustomStringConvertible {
        case absent, pending, acquired, suspended, halted, fulfilled
        var description: String { rawValue }
    }

    enum Operation: CustomStringConvertible, Sendable {
        case acquire(Int64)
        case release(Int64)
        case fulfill(Int64)
        case suspendOnPending(Int64)
        case suspendOnSettled(Int64)
        case suspendOnMissing(Int64)
        case fence(Int64)
        case heartbeat(Int64, pid: String)
        case halt
        case resume
        case create

        var description: String {
            switch self {
            case .acquire(let v): "acquire(v\(v))"
            case .release(let v): "release(v\(v))"
            case .fulfill(let v): "fulfill(v\(v))"
            case .suspendOnPending(let v): "suspend(v\(v), pending)"
            case .suspendOnSettled(let v): "suspend(v\(v), settled)"
            case .suspendOnMissing(let v): "suspend(v\(v), missing)"
            case .fence(let v): "fence(v\(v))"
            case .heartbeat(let v, let pid): "heartbeat(v\(v), \(pid))"
            case .halt: "halt"
            case .resume: "continue"
            case .create: "task.create"
            }
        }
    }

    struct Row: CustomStringConvertible, Sendable {
        let start: Start
        let operation: Operation
        let status: Int
        /// The task's state and version afterwards; `nil` when the task must not exist.
        let after: (state: TaskState, version: Int64)?
        var description: String { "\(operation) on \(start) → \(status)" }
    }

    // Starting versions: pending v0 (never acquired); every other state was reached through an acquisition (v1).
    static let table: [Row] = [
        Row(start: .absent, operation: .acquire(0), status: 404, after: nil),
        Row(start: .pending, operation: .acquire(0), status: 200, after: (.acquired, 1)),
        Row(start: .pending, operation: .acquire(1), status: 409, after: (.pending, 0)),
        Row(start: .acquired, operation: .acquire(1), status: 409, after: (.acquired, 1)),
        Row(start: .suspended, operation: .acquire(1), status: 409, after: (.suspended, 1)),
        Row(start: .halted, operation: .acquire(1), status: 409, after: (.halted, 1)),
        Row(start: .fulfilled, operation: .acquire(1), status: 409, after: (.fulfilled, 1)),
        Row(start: .absent, operation: .release(0), status: 404, after: nil),
        Row(start: .acquired, operation: .release(1), status: 200, after: (.pending, 1)),
        Row(start: .acquired, operation: .release(0), status: 409, after: (.acquired, 1)),
        Row(start: .pending, operation: .release(0), status: 409, after: (.pending, 0)),
        Row(start: .absent, operation: .fulfill(0), status: 404, after: nil),
        Row(start: .acquired, operation: .fulfill(1), status: 200, after: (.fulfilled, 1)),
        Row(start: .acquired, operation: .fulfill(2), status: 409, after: (.acquired, 1)),
        Row(start: .suspended, operation: .fulfill(1), status: 409, after: (.suspended, 1)),
        Row(start: .fulfilled, operation: .fulfill(1), status: 409, after: (.fulfilled, 1)),
        Row(start: .absent, operation: .suspendOnPending(1), status: 404, after: nil),
        Row(start: .acquired, operation: .suspendOnPending(1), status: 200, after: (.suspended, 1)),
        Row(start: .acquired, operation: .suspendOnSettled(1), status: 300, after: (.acquired, 1)),
        Row(start: .acquired, operation: .suspendOnMissing(1), status: 422, after: (.acquired, 1)),
        Row(start: .acquired, operation: .suspendOnPending(0), status: 409, after: (.acquired, 1)),
        Row(start: .pending, operation: .suspendOnPending(0), status: 409, after: (.pending, 0)),
        Row(start: .absent, operation: .fence(1), status: 404, after: nil),
        Row(start: .acquired, operation: .fence(1), status: 200, after: (.acquired, 1)),
        Row(start: .acquired, operation: .fence(0), status: 409, after: (.acquired, 1)),
        Row(start: .pending, operation: .fence(0), status: 409, after: (.pending, 0)),
        Row(start: .suspended, operation: .fence(1), status: 409, after: (.suspended, 1)),
        Row(start: .acquired, operation: .heartbeat(1, pid: "p1"), status: 200, after: (.acquired, 1)),
        Row(start: .acquired, operation: .heartbeat(1, pid: "other"), status: 200, after: (.acquired, 1)),
        Row(start: .pending, operation: .heartbeat(0, pid: "p1"), status: 200, after: (.pending, 0)),
        Row(start: .absent, operation: .halt, status: 404, after: nil),
        Row(start: .pending, operation: .halt, status: 200, after: (.halted, 0)),
        Row(start: .acquired, operation: .halt, status: 200, after: (.halted, 1)),
        Row(start: .suspended, operation: .halt, status: 200, after: (.halted, 1)),
        Row(start: .halted, operation: .halt, status: 200, after: (.halted, 1)),
        Row(start: .fulfilled, operation: .halt, status: 409, after: (.fulfilled, 1)),
        Row(start: .absent, operation: .resume, status: 404, after: nil),
        Row(start: .halted, operation: .resume, status: 200, after: (.pending, 1)),
        Row(start: .pending, operation: .resume, status: 409, after: (.pending, 0)),
        Row(start: .acquired, operation: .resume, status: 409, after: (.acquired, 1)),
        Row(start: .pending, operation: .create, status: 200, after: (.acquired, 1)),
        Row(start: .acquired, operation: .create, status: 409, after: (.acquired, 1)),
        Row(start: .suspended, operation: .create, status: 409, after: (.suspended, 1)),
        Row(start: .halted, operation: .create, status: 409, after: (.halted, 1)),
        Row(start: .fulfilled, operation: .create, status: 200, after: (.fulfilled, 1)),
    ]

    static let id = "t"

    /// Brings task `t` into `start`, with children `t:1` (pending), `t:2` (resolved).
    static func prepare(_ start: Start, _ harness: EngineHarness) async throws {
        await harness.createPromise("t:1", timeout: 600_000)
        await harness.createPromise("t:2", timeout: 600_000)
        await harness.send(.promiseSettle(PromiseSettle(id: "t:2", state: .resolved)))
        switch start {
        case .absent:
            return
        case .pending:
            await harness.createTaskPromise(id)
        case .acquired:
            await harness.createTask(id)
        case .suspended:
            await harness.createTask(id)
            await harness.send(.taskSuspend(TaskSuspend(id: id, version: 1, awaiting: ["t:1"])))
        case .halted:
            await harness.createTask(id)
            await harness.send(.taskHalt(id: id))
        case .fulfilled:
            await harness.createTask(id)
            await harness.send(
                .taskFulfill(TaskFulfill(id: id, version: 1, settle: PromiseSettle(id: id, state: .resolved))))
        }
        let task = try #require(try await harness.task(id))
        #expect(task.state.rawValue == start.rawValue, "setup reached \(task.state)")
        _ = harness.sink.take()
    }

    @Test("transition", arguments: table, StoreKind.allCases)
    func transition(_ row: Row, store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            try await Self.prepare(row.start, harness)
            let id = Self.id
            let reply: Reply
            switch row.operation {
            case .acquire(let version):
                reply = await harness.send(.taskAcquire(TaskAcquire(id: id, version: version, pid: "p2", ttl: 10_000)))
            case .release(let version):
                reply = await harness.send(.taskRelease(id: id, version: version))
            case .fulfill(let version):
                reply = await harness.send(
                    .taskFulfill(TaskFulfill(id: id, version: version, settle: PromiseSettle(id: id, state: .resolved)))
                )
            case .suspendOnPending(let version):
                reply = await harness.send(.taskSuspend(TaskSuspend(id: id, version: version, awaiting: ["t:1"])))
            case .suspendOnSettled(let version):
                reply = await harness.send(
                    .taskSuspend(TaskSuspend(id: id, version: version, awaiting: ["t:1", "t:2"])))
            case .suspendOnMissing(let version):
                reply = await harness.send(.taskSuspend(TaskSuspend(id: id, version: version, awaiting: ["t:9"])))
            case .fence(let version):
                reply = await harness.send(
                    .taskFence(
                        TaskFence(
                            id: id,
                            version: version,
                            action: .create(PromiseCreate(id: "t:3", timeoutAt: harness.now + 1_000))
                        )
                    )
                )
            case .heartbeat(let version, let pid):
                reply = await harness.send(
                    .taskHeartbeat(TaskHeartbeat(pid: pid, tasks: [TaskReference(id: id, version: version)])))
            case .halt:
                reply = await harness.send(.taskHalt(id: id))
            case .resume:
                reply = await harness.send(.taskContinue(id: id))
            case .create:
                reply = await harness.createTask(id, pid: "p2")
            }
            #expect(reply.status == row.status, "\(reply.payload)")
            let task = try await harness.task(id)
            if let after = row.after {
                #expect(task?.state == after.state)
                #expect(task?.version == after.version)
            } else {
                #expect(task == nil)
            }
            // Every transition into pending sends the task's current version to its target; nothing else sends one.
            let executes = harness.sink.takeExecutes()
            if row.start != .pending, let after = row.after, after.state == .pending {
                #expect(executes == [TaskReference(id: id, version: after.version)])
            } else {
                #expect(executes.isEmpty)
            }
            try await checkTimerInvariant(harness)
        }
    }

    /// Pending tasks have a retry timer, acquired ones a lease, others none; a pid is kept while acquired, and
    /// while suspended as the last holder's (where the resume goes first), never shown outside acquisition.
    func checkTimerInvariant(_ harness: EngineHarness) async throws {
        for task in try await harness.snapshot().tasks {
            switch task.state {
            case .pending:
                #expect(task.timeout?.kind == .retry, "\(task)")
                #expect(task.pid == nil && task.ttl == nil)
            case .acquired:
                #expect(task.timeout?.kind == .lease, "\(task)")
                #expect(task.pid != nil && task.ttl != nil)
            case .suspended:
                #expect(task.timeout == nil, "\(task)")
                #expect(task.pid != nil && task.ttl == nil && task.record(resumes: 0).pid == nil)
            case .halted, .fulfilled:
                #expect(task.timeout == nil, "\(task)")
                #expect(task.pid == nil && task.ttl == nil)
            }
        }
    }

    @Test("heartbeat extends only the leases the process holds at that version", arguments: StoreKind.allCases)
    func heartbeatExtendsLease(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTask("a", pid: "p1", ttl: 10_000)
            await harness.createTask("b", pid: "p1", ttl: 10_000)
            harness.clock.advance(by: 6_000)
            await harness.send(
                .taskHeartbeat(
                    TaskHeartbeat(
                        pid: "p1", tasks: [TaskReference(id: "a", version: 1), TaskReference(id: "b", version: 0)])
                )
            )
            #expect(try await harness.task("a")?.timeout == .lease(at: harness.now + 10_000))
            #expect(try await harness.task("b")?.timeout == .lease(at: harness.now + 4_000))
        }
    }

    @Test("a heartbeat may list tasks of several origins (the Python SDK batches them)", arguments: StoreKind.allCases)
    func heartbeatAcrossOrigins(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("x", pid: "p1")
            await harness.createTask("y", pid: "p1")
            let reply = await harness.send(
                kind: "task.heartbeat",
                .object([
                    "pid": .string("p1"),
                    "tasks": .array([
                        .object(["id": .string("x"), "version": .integer(1)]),
                        .object(["id": .string("y"), "version": .integer(1)]),
                    ]),
                ])
            )
            #expect(reply.status == 200)
        }
    }

    @Test(
        "a lease is honoured until its expiry and never after, even before the timer runs",
        arguments: StoreKind.allCases)
    func expiredLeaseCannotFence(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTask("w", ttl: 5_000)
            harness.clock.advance(by: 5_000)
            let fence = await harness.send(
                .taskFence(
                    TaskFence(
                        id: "w", version: 1, action: .create(PromiseCreate(id: "w:1", timeoutAt: harness.now + 1))))
            )
            #expect(fence.status == 409)
            #expect(try await harness.task("w")?.state == .pending)
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "w", version: 1)])
        }
    }

    @Test("task.create acquires a new task at version 1 without sending an execute", arguments: StoreKind.allCases)
    func taskCreateNew(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            let reply = await harness.createTask("w", pid: "p1", ttl: 60_000)
            #expect(reply.status == 200)
            #expect(reply.task == TaskRecord(id: "w", state: .acquired, version: 1, resumes: 0, ttl: 60_000, pid: "p1"))
            #expect(reply.promise?.state == .pending)
            #expect(harness.sink.take().isEmpty)
        }
    }

    @Test("task.create on a promise without a task is unprocessable", arguments: StoreKind.allCases)
    func taskCreateOnPlainPromise(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createPromise("w")
            let reply = await harness.createTask("w")
            #expect(reply.status == 422)
            #expect(reply.errorMessage == "The promise does not have a resonate:target tag")
        }
    }

    /// A local child of `parent` in the parent's branch (so it is part of the parent's preload).
    static func localChild(_ id: String, of parent: String, _ harness: EngineHarness) -> PromiseCreate {
        PromiseCreate(
            id: id,
            timeoutAt: harness.now + 10_000,
            tags: [Tag.branch: parent, Tag.parent: parent, Tag.origin: parent, Tag.scope: "local"]
        )
    }

    @Test(
        "suspending on a settled promise answers 300 with the branch preload and keeps the lease",
        arguments: StoreKind.allCases)
    func suspendRedirect(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTask("w")
            let child = Self.localChild("w:1", of: "w", harness)
            await harness.send(.taskFence(TaskFence(id: "w", version: 1, action: .create(child))))
            await harness.send(
                .taskFence(TaskFence(id: "w", version: 1, action: .settle(PromiseSettle(id: "w:1", state: .resolved)))))
            let reply = await harness.send(.taskSuspend(TaskSuspend(id: "w", version: 1, awaiting: ["w:1"])))
            #expect(reply.status == 300)
            #expect(reply.preload?.map(\.id) == ["w:1"])
            #expect(try await harness.task("w")?.state == .acquired)
        }
    }

    @Test(
        "asked to omit the preload, fence, suspend (300) and acquire answer without it, and act the same",
        arguments: StoreKind.allCases)
    func preloadOmitted(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTask("w")
            let child = Self.localChild("w:1", of: "w", harness)
            let created = await harness.send(
                Request.taskFence(TaskFence(id: "w", version: 1, action: .create(child))).omittingPreload())
            #expect(created.status == 200)
            guard case .fenced(let outcome) = created.payload else {
                Issue.record("expected a fence outcome")
                return
            }
            #expect(outcome.promise?.id == "w:1" && outcome.preload.isEmpty)
            let settle = PromiseSettle(id: "w:1", state: .resolved)
            await harness.send(Request.taskFence(TaskFence(id: "w", version: 1, action: .settle(settle))))
            let suspended = await harness.send(
                Request.taskSuspend(TaskSuspend(id: "w", version: 1, awaiting: ["w:1"])).omittingPreload())
            #expect(suspended.status == 300)
            #expect(suspended.preload == [])
            // The same requests without the opt-out still carry the branch.
            let again = await harness.send(.taskSuspend(TaskSuspend(id: "w", version: 1, awaiting: ["w:1"])))
            #expect(again.preload?.map(\.id) == ["w:1"])
            await harness.send(.taskRelease(id: "w", version: 1))
            let acquired = await harness.send(
                Request.taskAcquire(TaskAcquire(id: "w", version: 1, pid: "p", ttl: 1_000)).omittingPreload())
            #expect(acquired.task?.version == 2)
            #expect(acquired.preload == [])
        }
    }

    @Test(
        "a fence create with a settlement stores a new task-less promise settled; otherwise it acts as without one",
        arguments: StoreKind.allCases)
    func createSettled(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTask("w")
            let value = Value(headers: ["h": "1"], data: "NDI=")
            let startedAt = harness.now - 250
            func settled(_ create: PromiseCreate, startedAt: Int64? = startedAt) -> PromiseCreate {
                var create = create
                create.settlement = PromiseCreate.Settlement(state: .resolved, value: value, startedAt: startedAt)
                return create
            }
            let born = await harness.send(
                .taskFence(
                    TaskFence(id: "w", version: 1, action: .create(settled(Self.localChild("w:1", of: "w", harness))))))
            let stored = try #require(try await harness.promise("w:1"))
            #expect(born.promise == stored)
            #expect(stored.state == .resolved && stored.value == value && stored.settledAt == harness.now)
            #expect(stored.createdAt == startedAt)
            // A start in the future (another clock) is not believed.
            let ahead = await harness.send(
                .taskFence(
                    TaskFence(
                        id: "w", version: 1,
                        action: .create(
                            settled(Self.localChild("w:5", of: "w", harness), startedAt: harness.now + 60_000)))))
            #expect(ahead.promise?.createdAt == harness.now)
            #expect(try await harness.task("w:1") == nil)

            // An existing promise is answered as it is.
            await harness.send(
                .taskFence(TaskFence(id: "w", version: 1, action: .create(Self.localChild("w:2", of: "w", harness)))))
            let existing = await harness.send(
                .taskFence(
                    TaskFence(id: "w", version: 1, action: .create(settled(Self.localChild("w:2", of: "w", harness))))))
            #expect(existing.promise?.state == .pending)
            // One with a target gets its task and stays pending; an expired one times out.
            var targeted = settled(Self.localChild("w:3", of: "w", harness))
            targeted.tags[Tag.target] = EngineHarness.worker
            let withTarget = await harness.send(.taskFence(TaskFence(id: "w", version: 1, action: .create(targeted))))
            #expect(withTarget.promise?.state == .pending)
            #expect(try await harness.task("w:3")?.state == .pending)
            var expired = settled(Self.localChild("w:4", of: "w", harness))
            expired.timeoutAt = harness.now - 1
            let late = await harness.send(.taskFence(TaskFence(id: "w", version: 1, action: .create(expired))))
            #expect(late.promise?.state == .rejectedTimedOut)
        }
    }

    @Test(
        "a resume goes first to the process that suspended the task; the task shows no pid while not acquired",
        arguments: StoreKind.allCases)
    func resumePrefersLastHolder(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("w", pid: "holder")
            await harness.createTaskPromise("w:1")
            await harness.send(.taskSuspend(TaskSuspend(id: "w", version: 1, awaiting: ["w:1"])))
            #expect(await harness.send(.taskGet(id: "w")).task?.pid == nil)
            _ = harness.sink.take()
            await harness.send(.promiseSettle(PromiseSettle(id: "w:1", state: .resolved)))
            let executes = harness.sink.take().filter { message, _ in
                if case .execute(let id, _) = message { return id == "w" }
                return false
            }
            let holder = try Address(parsing: EngineHarness.worker + "/holder")
            #expect(executes.map(\.1) == [holder])
            // Any other way back to pending (here, a released lease) goes to the group as it is.
            await harness.send(.taskAcquire(TaskAcquire(id: "w", version: 1, pid: "other", ttl: 1_000)))
            await harness.send(.taskRelease(id: "w", version: 2))
            let released = harness.sink.take().map(\.1)
            let group = try Address(parsing: EngineHarness.worker)
            #expect(released == [group])
        }
    }

    @Test("a settled awaited promise resumes the suspended awaiter at its version", arguments: StoreKind.allCases)
    func resumeAfterSuspend(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("w")
            await harness.createTaskPromise("w:1")
            await harness.send(.taskSuspend(TaskSuspend(id: "w", version: 1, awaiting: ["w:1"])))
            _ = harness.sink.take()
            await harness.send(.promiseSettle(PromiseSettle(id: "w:1", state: .resolved)))
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "w", version: 1)])
            let task = try #require(try await harness.task("w"))
            #expect(task.state == .pending)
            #expect(try await harness.task("w:1")?.state == .fulfilled)
            let acquired = await harness.send(.taskAcquire(TaskAcquire(id: "w", version: 1, pid: "p2", ttl: 1_000)))
            #expect(acquired.task?.version == 2)
            #expect(acquired.task?.resumes == 0)
        }
    }

    @Test("fence settle of an unknown promise answers 200 with an inner 404", arguments: StoreKind.allCases)
    func fenceSettleUnknown(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("w")
            let reply = await harness.send(
                .taskFence(TaskFence(id: "w", version: 1, action: .settle(PromiseSettle(id: "w:7", state: .resolved))))
            )
            #expect(reply.status == 200)
            guard case .fenced(let outcome) = reply.payload else {
                Issue.record("expected a fenced outcome")
                return
            }
            #expect(outcome.status == 404)
            #expect(outcome.promise == nil)
        }
    }
}

@Suite("Promise-id lineage rules")
struct LineageRuleTests {
    static let colonTags = [Tag.origin: "root", Tag.branch: "root", Tag.parent: "root"]

    @Test(
        "colon rules accept the Python SDK's ids and reject dotted children",
        arguments: [
            ("root:1", true), ("root:1.2", true), ("root:1.2.3", true), ("root", true), ("root.1", false),
            ("other:1", false),
        ]
    )
    func colonRules(id: String, accepted: Bool) async throws {
        try await EngineHarness.with(.sqlite, rules: .colon) { harness in
            let reply = await harness.send(
                .promiseCreate(PromiseCreate(id: id, timeoutAt: harness.now + 1_000, tags: [Tag.origin: "root"]))
            )
            #expect(reply.status == (accepted ? 200 : 400), "\(reply.payload)")
        }
    }

    @Test(
        "dot rules accept dotted ids and reject colon children",
        arguments: [("root.1", true), ("root.1.2", true), ("root", true), ("root:1", false), ("other.1", false)]
    )
    func dotRules(id: String, accepted: Bool) async throws {
        try await EngineHarness.with(.sqlite, rules: .dot) { harness in
            let reply = await harness.send(
                .promiseCreate(PromiseCreate(id: id, timeoutAt: harness.now + 1_000, tags: [Tag.origin: "root"]))
            )
            #expect(reply.status == (accepted ? 200 : 400), "\(reply.payload)")
        }
    }

    @Test("a local grandchild's branch is its parent's id: root:1.1 in branch root:1")
    func nestedBranch() async throws {
        try await EngineHarness.with(.sqlite) { harness in
            let reply = await harness.send(
                .promiseCreate(
                    PromiseCreate(
                        id: "root:1.1",
                        timeoutAt: harness.now + 1_000,
                        tags: [Tag.origin: "root", Tag.branch: "root:1", Tag.parent: "root:1"]
                    )
                )
            )
            #expect(reply.status == 200)
        }
    }
}
