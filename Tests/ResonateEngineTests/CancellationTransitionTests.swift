// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Testing

/// Cancelling a promise cancels what it started, in one transaction, and starts a cleanup execution when the
/// canceled task's holder runs them.
@Suite("Cancellation transitions", .sharedPostgres)
struct CancellationTransitionTests {
    /// A call tree below root `c`, acquired by `p1` (asking for cleanups when `cleanup` is set):
    ///
    /// - `c:1` a finished local step, `c:2` a running local step with a local grandchild `c:2.1`,
    /// - `c:3` a remote call acquired by `p2` with a pending local step `c:3.1`,
    /// - `c:4` a sleep, `c:5` a latent promise, `c:d0123abcd` a detached execution,
    /// - `other` an unrelated pending promise.
    static func buildTree(_ harness: EngineHarness, cleanup: Bool) async throws {
        var create = TaskCreate(
            pid: "p1", ttl: 10_000,
            promise: PromiseCreate(
                id: "c", timeoutAt: harness.now + 60_000,
                param: Value(data: "eyJmdW5jIjoiZiJ9"),
                tags: [Tag.target: EngineHarness.worker, Tag.origin: "c", Tag.branch: "c", Tag.parent: "c"]))
        create.requestsCleanup = cleanup
        #expect(await harness.send(.taskCreate(create)).status == 200)
        func fence(_ task: String, _ version: Int64, _ id: String, _ tags: [String: String]) async {
            let reply = await harness.send(
                .taskFence(
                    TaskFence(
                        id: task, version: version,
                        action: .create(PromiseCreate(id: id, timeoutAt: harness.now + 30_000, tags: tags)))))
            #expect(reply.status == 200, "creating \(id): \(reply.payload)")
        }
        let local = [Tag.origin: "c", Tag.branch: "c", Tag.scope: "local"]
        await fence("c", 1, "c:1", local.merging([Tag.parent: "c"]) { $1 })
        await harness.send(
            .taskFence(TaskFence(id: "c", version: 1, action: .settle(PromiseSettle(id: "c:1", state: .resolved)))))
        await fence("c", 1, "c:2", local.merging([Tag.parent: "c"]) { $1 })
        await fence("c", 1, "c:2.1", local.merging([Tag.parent: "c:2"]) { $1 })
        let remote = [Tag.origin: "c", Tag.parent: "c", Tag.scope: "global", Tag.target: EngineHarness.worker]
        await fence("c", 1, "c:3", remote.merging([Tag.branch: "c:3"]) { $1 })
        var acquire = TaskAcquire(id: "c:3", version: 0, pid: "p2", ttl: 10_000)
        acquire.requestsCleanup = cleanup
        #expect(await harness.send(.taskAcquire(acquire)).status == 200)
        await fence(
            "c:3", 1, "c:3.1", [Tag.origin: "c", Tag.branch: "c:3", Tag.parent: "c:3", Tag.scope: "local"])
        await fence("c", 1, "c:4", remote.merging([Tag.branch: "c:4", Tag.timer: "true"]) { $1 })
        await fence("c", 1, "c:5", [Tag.origin: "c", Tag.parent: "c", Tag.branch: "c:5", Tag.scope: "global"])
        await fence("c", 1, "c:d0123abcd", remote.merging([Tag.branch: "c:d0123abcd"]) { $1 })
        await harness.createPromise("other")
        _ = harness.sink.take()
    }

    @Test("cancelling a root cancels its pending descendants, and nothing else", arguments: StoreKind.allCases)
    func cascade(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            try await Self.buildTree(harness, cleanup: false)
            let reason = Value(data: "c3RvcA==")
            let reply = await harness.send(
                .promiseSettle(PromiseSettle(id: "c", state: .rejectedCanceled, value: reason)))
            #expect(reply.promise?.state == .rejectedCanceled)

            for id in ["c", "c:2", "c:2.1", "c:3", "c:3.1", "c:4", "c:5"] {
                let promise = try #require(try await harness.promise(id))
                #expect(promise.state == .rejectedCanceled, "\(id)")
                #expect(promise.value == reason, "\(id)")
                #expect(promise.settledAt == harness.now, "\(id)")
            }
            #expect(try await harness.promise("c:1")?.state == .resolved)
            #expect(try await harness.promise("c:d0123abcd")?.state == .pending)
            #expect(try await harness.promise("other")?.state == .pending)
            for id in ["c", "c:3", "c:4"] {
                #expect(try await harness.task(id)?.state == .fulfilled, "\(id)")
            }
            #expect(try await harness.task("c:d0123abcd")?.state == .pending)
            // Nobody asked for a cleanup: no new execution.
            #expect(try await harness.promise("c:cleanup") == nil)
            #expect(harness.sink.takeExecutes().isEmpty)

            // The holders' next durable calls are refused.
            let fence = await harness.send(
                .taskFence(
                    TaskFence(
                        id: "c", version: 1, action: .create(PromiseCreate(id: "c:6", timeoutAt: harness.now + 1)))))
            #expect(fence.status == 409)
            #expect(
                await harness.send(
                    .taskFulfill(TaskFulfill(id: "c:3", version: 1, settle: PromiseSettle(id: "c:3", state: .resolved)))
                ).status == 409)
        }
    }

    @Test("a fan-out of more children than one page of the search is canceled whole", arguments: StoreKind.allCases)
    func wideFanOut(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("w")
            // More than two pages of 500: the cascade reads its children page by page while it settles them.
            let count = 1_100
            for index in 1...count {
                await harness.createPromise(
                    "w:\(index)",
                    tags: [Tag.origin: "w", Tag.parent: "w", Tag.branch: "w:\(index)", Tag.scope: "global"])
            }
            await harness.send(.promiseSettle(PromiseSettle(id: "w", state: .rejectedCanceled)))
            let states = try await harness.snapshot().promises.filter { $0.id.hasPrefix("w:") }.map(\.state)
            #expect(states.count == count)
            #expect(states.allSatisfy { $0 == .rejectedCanceled })
        }
    }

    @Test("a canceled task whose holder runs cleanups gets a cleanup execution", arguments: StoreKind.allCases)
    func cleanup(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            try await Self.buildTree(harness, cleanup: true)
            await harness.send(.promiseSettle(PromiseSettle(id: "c", state: .rejectedCanceled)))

            let root = try #require(try await harness.promise("c"))
            let cleanup = try #require(try await harness.promise("c:cleanup"))
            #expect(cleanup.state == .pending)
            #expect(cleanup.param == root.param)
            #expect(cleanup.tags[Tag.cleanupOf] == "c")
            #expect(cleanup.tags[Tag.branch] == "c")
            #expect(cleanup.tags[Tag.parent] == "c")
            #expect(cleanup.tags[Tag.target] == EngineHarness.worker)
            #expect(cleanup.timeoutAt >= harness.now + 86_400_000)
            // The remote child was canceled too, and its holder runs cleanups: it gets its own.
            let childCleanup = try #require(try await harness.promise("c:3.cleanup"))
            #expect(childCleanup.tags[Tag.cleanupOf] == "c:3")
            #expect(childCleanup.tags[Tag.branch] == "c:3")
            #expect(
                Set(harness.sink.takeExecutes()) == [
                    TaskReference(id: "c:cleanup", version: 0), TaskReference(id: "c:3.cleanup", version: 0),
                ])

            // A cleanup runs like any task: acquired, fenced, fulfilled; the canceled promise stays canceled.
            #expect(
                await harness.send(.taskAcquire(TaskAcquire(id: "c:cleanup", version: 0, pid: "p1", ttl: 10_000)))
                    .status == 200)
            let step = await harness.send(
                .taskFence(
                    TaskFence(
                        id: "c:cleanup", version: 1,
                        action: .create(
                            PromiseCreate(
                                id: "c:6", timeoutAt: harness.now + 1_000,
                                tags: [Tag.origin: "c", Tag.parent: "c", Tag.branch: "c", Tag.scope: "local"])))))
            #expect(step.status == 200)
            #expect(
                await harness.send(
                    .taskFulfill(
                        TaskFulfill(
                            id: "c:cleanup", version: 1, settle: PromiseSettle(id: "c:cleanup", state: .resolved)))
                )
                .status == 200)
            #expect(try await harness.promise("c")?.state == .rejectedCanceled)
        }
    }

    enum NoCleanupCase: String, CaseIterable, CustomStringConvertible {
        /// The promise's task was never acquired: nothing ran.
        case neverAcquired
        /// The function ended itself canceled (`task.fulfill`).
        case canceledByItsOwnTask
        /// A cleanup execution is canceled: it is not cleaned up in turn.
        case cleanupCanceled
        /// The function made no durable call: there is no step to compensate.
        case noDurableCall
        var description: String { rawValue }
    }

    /// Task `n`, acquired by a process that runs cleanups; with `step`, the function has made a durable call.
    static func startCleanable(_ harness: EngineHarness, step: Bool) async {
        let tags = [Tag.target: EngineHarness.worker, Tag.origin: "n", Tag.branch: "n", Tag.parent: "n"]
        var create = TaskCreate(
            pid: "p1", ttl: 10_000, promise: PromiseCreate(id: "n", timeoutAt: harness.now + 60_000, tags: tags))
        create.requestsCleanup = true
        #expect(await harness.send(.taskCreate(create)).status == 200)
        guard step else { return }
        let local = [Tag.origin: "n", Tag.parent: "n", Tag.branch: "n", Tag.scope: "local"]
        let fence = TaskFence(
            id: "n", version: 1, action: .create(PromiseCreate(id: "n:1", timeoutAt: harness.now + 1_000, tags: local)))
        #expect(await harness.send(.taskFence(fence)).status == 200)
    }

    @Test("no cleanup execution", arguments: NoCleanupCase.allCases, StoreKind.allCases)
    func noCleanup(_ kase: NoCleanupCase, store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            switch kase {
            case .neverAcquired:
                let tags = [Tag.target: EngineHarness.worker, Tag.origin: "n", Tag.branch: "n", Tag.parent: "n"]
                await harness.createPromise("n", tags: tags)
                await harness.send(.promiseSettle(PromiseSettle(id: "n", state: .rejectedCanceled)))
            case .canceledByItsOwnTask:
                await Self.startCleanable(harness, step: true)
                let reply = await harness.send(
                    .taskFulfill(
                        TaskFulfill(id: "n", version: 1, settle: PromiseSettle(id: "n", state: .rejectedCanceled))))
                #expect(reply.status == 200)
            case .cleanupCanceled:
                await Self.startCleanable(harness, step: true)
                await harness.send(.promiseSettle(PromiseSettle(id: "n", state: .rejectedCanceled)))
                var acquire = TaskAcquire(id: "n:cleanup", version: 0, pid: "p1", ttl: 10_000)
                acquire.requestsCleanup = true
                #expect(await harness.send(.taskAcquire(acquire)).status == 200)
                await harness.send(.promiseSettle(PromiseSettle(id: "n:cleanup", state: .rejectedCanceled)))
                let cleanup = try await harness.promise("n:cleanup")
                #expect(cleanup?.state == .rejectedCanceled)
            case .noDurableCall:
                await Self.startCleanable(harness, step: false)
                await harness.send(.promiseSettle(PromiseSettle(id: "n", state: .rejectedCanceled)))
            }
            let snapshot = try await harness.snapshot()
            let created = snapshot.promises.filter { $0.tags[Tag.cleanupOf] != nil }.map(\.id)
            #expect(created == (kase == .cleanupCanceled ? ["n:cleanup"] : []))
            #expect(try await harness.promise("n")?.state == .rejectedCanceled)
        }
    }

    @Test("cancelling a settled promise changes nothing", arguments: StoreKind.allCases)
    func settledIsUnchanged(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            try await Self.buildTree(harness, cleanup: true)
            await harness.send(
                .taskFulfill(TaskFulfill(id: "c", version: 1, settle: PromiseSettle(id: "c", state: .resolved))))
            let reply = await harness.send(.promiseSettle(PromiseSettle(id: "c", state: .rejectedCanceled)))
            #expect(reply.status == 200)
            #expect(reply.promise?.state == .resolved)
            #expect(try await harness.promise("c:2")?.state == .pending)
            #expect(try await harness.promise("c:cleanup") == nil)
        }
    }
}
