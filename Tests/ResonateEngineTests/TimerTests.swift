// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Testing

@Suite("Timers", .sharedPostgres, .timeLimit(.minutes(2)))
struct TimerTests {
    @Test("a targeted promise times out at its deadline and fulfils its task", arguments: StoreKind.allCases)
    func promiseTimeout(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTaskPromise("p", timeout: 5_000)
            _ = harness.sink.take()
            #expect(try await harness.engine.nextDeadline() == harness.now + 5_000)
            harness.clock.advance(by: 4_999)
            #expect(try await harness.engine.runTimerPass().timedOutPromises == 0)
            harness.clock.advance(by: 1)
            #expect(try await harness.engine.runTimerPass().timedOutPromises == 1)
            let promise = try #require(try await harness.promise("p"))
            #expect(promise.state == .rejectedTimedOut)
            #expect(try await harness.task("p")?.state == .fulfilled)
        }
    }

    @Test(
        "a promise without a target also times out in the background and resumes its awaiter",
        arguments: StoreKind.allCases)
    func latentPromiseTimesOut(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTask("wf")
            let latent = PromiseCreate(
                id: "wf:1",
                timeoutAt: harness.now + 5_000,
                tags: [Tag.origin: "wf", Tag.parent: "wf", Tag.branch: "wf:1", Tag.scope: "global"]
            )
            await harness.send(.taskFence(TaskFence(id: "wf", version: 1, action: .create(latent))))
            await harness.send(.taskSuspend(TaskSuspend(id: "wf", version: 1, awaiting: ["wf:1"])))
            _ = harness.sink.take()
            harness.clock.advance(by: 5_000)
            #expect(try await harness.engine.runTimerPass().timedOutPromises == 1)
            #expect(try await harness.promise("wf:1")?.state == .rejectedTimedOut)
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "wf", version: 1)])
        }
    }

    @Test("a durable sleep resolves at its deadline and resumes the sleeping workflow", arguments: StoreKind.allCases)
    func sleepResumesWorkflow(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("wf")
            let sleep = PromiseCreate(
                id: "wf:1",
                timeoutAt: harness.now + 2_000,
                tags: [
                    Tag.timer: "true", Tag.target: EngineHarness.worker, Tag.origin: "wf", Tag.parent: "wf",
                    Tag.branch: "wf:1", Tag.scope: "global",
                ]
            )
            await harness.send(.taskFence(TaskFence(id: "wf", version: 1, action: .create(sleep))))
            #expect(
                await harness.send(.taskSuspend(TaskSuspend(id: "wf", version: 1, awaiting: ["wf:1"]))).status == 200)
            _ = harness.sink.take()
            harness.clock.advance(by: 2_000)
            try await harness.engine.runTimerPass()
            let timer = try #require(try await harness.promise("wf:1"))
            #expect(timer.state == .resolved)
            #expect(timer.settledAt == timer.timeoutAt)
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "wf", version: 1)])
            #expect(try await harness.task("wf")?.state == .pending)
        }
    }

    @Test(
        "an expired lease returns the task to pending and re-sends execute at the same version",
        arguments: StoreKind.allCases)
    func leaseExpiry(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("w", ttl: 3_000)
            harness.clock.advance(by: 3_000)
            #expect(try await harness.engine.runTimerPass().expiredLeases == 1)
            let task = try #require(try await harness.task("w"))
            #expect(task.state == .pending)
            #expect(task.version == 1)
            #expect(task.timeout == .retry(at: harness.now + EngineHarness.retry))
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "w", version: 1)])
        }
    }

    @Test("a pending task's execute is re-sent every retry timeout", arguments: StoreKind.allCases)
    func retry(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTaskPromise("w", timeout: 3_600_000)
            #expect(harness.sink.takeExecutes().count == 1)
            for round in 1...3 {
                harness.clock.advance(by: EngineHarness.retry)
                #expect(try await harness.engine.runTimerPass().retriedTasks == 1, "round \(round)")
                #expect(harness.sink.takeExecutes() == [TaskReference(id: "w", version: 0)])
            }
        }
    }

    @Test("resonate:delay defers the first execute until the delay", arguments: StoreKind.allCases)
    func delay(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            let delay = harness.now + 10_000
            await harness.createTaskPromise("w", tags: [Tag.delay: String(delay)])
            #expect(harness.sink.takeExecutes().isEmpty)
            harness.clock.advance(to: delay)
            try await harness.engine.runTimerPass()
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "w", version: 0)])
        }
    }

    @Test("a schedule fires at each occurrence with the templated id and lineage tags", arguments: StoreKind.allCases)
    func scheduleFires(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            harness.clock.advance(to: 1_800_000_000_000 + 12_345)
            let create = ScheduleCreate(
                id: "nightly",
                cron: "* * * * *",
                promiseId: "{{.id}}-{{.timestamp}}",
                promiseTimeout: 60_000,
                promiseTags: [Tag.target: EngineHarness.worker]
            )
            let reply = await harness.send(.scheduleCreate(create))
            guard case .schedule(let schedule) = reply.payload else {
                Issue.record("unexpected \(reply)")
                return
            }
            let firstRun: Int64 = 1_800_000_060_000
            #expect(schedule.nextRunAt == firstRun)
            harness.clock.advance(to: firstRun)
            #expect(try await harness.engine.runTimerPass().firedSchedules == 1)
            let promise = try #require(try await harness.promise("nightly-\(firstRun)"))
            #expect(promise.createdAt == firstRun)
            #expect(promise.timeoutAt == firstRun + 60_000)
            #expect(promise.tags[Tag.schedule] == "nightly")
            #expect(promise.tags[Tag.origin] == promise.id)
            #expect(harness.sink.takeExecutes() == [TaskReference(id: promise.id, version: 0)])
            let stored = await harness.send(.scheduleGet(id: "nightly"))
            guard case .schedule(let after) = stored.payload else {
                Issue.record("unexpected \(stored)")
                return
            }
            #expect(after.lastRunAt == firstRun)
            #expect(after.nextRunAt == firstRun + 60_000)
        }
    }

    @Test("missed occurrences catch up, each with its own timestamp", arguments: StoreKind.allCases)
    func scheduleCatchUp(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            harness.clock.advance(to: 1_800_000_000_000)
            await harness.send(
                .scheduleCreate(
                    ScheduleCreate(
                        id: "s",
                        cron: "* * * * *",
                        promiseId: "s.{{.timestamp}}",
                        promiseTimeout: 3_600_000,
                        promiseTags: [Tag.target: EngineHarness.worker]
                    )
                )
            )
            harness.clock.advance(by: 5 * 60_000)
            var fired = 0
            var result = try await harness.engine.runTimerPass()
            fired += result.firedSchedules
            while result.hasMore {
                result = try await harness.engine.runTimerPass()
                fired += result.firedSchedules
            }
            #expect(fired == 5)
            let promises = try await harness.snapshot().promises.map(\.id)
            #expect(promises == (1...5).map { "s.\(1_800_000_000_000 + Int64($0) * 60_000)" })
        }
    }

    @Test("the engine's timer loop fires a sleep when the clock reaches its deadline", arguments: StoreKind.allCases)
    func timerLoopFiresAtDeadline(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await harness.engine.run() }
                await harness.createTaskPromise("p", timeout: 60_000, tags: [Tag.timer: "true"])
                await harness.send(.promiseRegisterListener(awaited: "p", address: "poll://uni@client/c"))
                _ = harness.sink.take()
                // Wait until the loop sleeps towards the deadline, then move the clock there.
                while harness.clock.sleeperCount == 0 { await Task.yield() }
                harness.clock.advance(by: 60_000)
                for await message in harness.sink.stream {
                    if case .unblock(let promise) = message, promise.id == "p" {
                        #expect(promise.state == .resolved)
                        break
                    }
                }
                group.cancelAll()
            }
            #expect(try await harness.promise("p")?.state == .resolved)
        }
    }
}

@Suite("Lease counts", .sharedPostgres)
struct LeaseCountTests {
    @Test(
        "the engine counts the tasks each process holds leased, through every transition out of acquired",
        arguments: StoreKind.allCases)
    func leaseCounts(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTask("a", pid: "p1")
            await harness.createTask("b", pid: "p1")
            await harness.createTask("c", pid: "p2")
            #expect(harness.engine.leasedTaskCount(process: "p1") == 2)
            #expect(harness.engine.leasedTaskCount(process: "p2") == 1)
            await harness.createPromise("a:1")
            await harness.send(.taskSuspend(TaskSuspend(id: "a", version: 1, awaiting: ["a:1"])))
            await harness.send(.taskRelease(id: "b", version: 1))
            #expect(harness.engine.leasedTaskCount(process: "p1") == 0)
            await harness.send(
                .taskFulfill(TaskFulfill(id: "c", version: 1, settle: PromiseSettle(id: "c", state: .resolved))))
            #expect(harness.engine.leasedTaskCount(process: "p2") == 0)
            await harness.send(.taskAcquire(TaskAcquire(id: "b", version: 1, pid: "p2", ttl: 1_000)))
            #expect(harness.engine.leasedTaskCount(process: "p2") == 1)
            harness.clock.advance(by: 1_000)
            try await harness.engine.runTimerPass()
            #expect(harness.engine.leasedTaskCount(process: "p2") == 0, "an expired lease no longer counts")
        }
    }

    @Test("leases on durable sleeps' tasks are not work and do not count", arguments: StoreKind.allCases)
    func timerLeasesDoNotCount(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTaskPromise("sleep", tags: [Tag.timer: "true"])
            await harness.send(.taskAcquire(TaskAcquire(id: "sleep", version: 0, pid: "p1", ttl: 60_000)))
            #expect(try await harness.task("sleep")?.state == .acquired)
            #expect(harness.engine.leasedTaskCount(process: "p1") == 0)
        }
    }
}
