// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateServer
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

@Suite("Against a server", .timeLimit(.minutes(2)))
struct RemoteModeTests {
    @Test("a client calls a function registered by a worker of another group, by name and by reference")
    func rpcAcrossProcesses() async throws {
        try await InProcessServer.with { server in
            let worker = Resonate(url: server.url, group: "workers")
            let multiply = try worker.register("multiply") { (_: Context, a: Int, b: Int) async throws -> Int in a * b }
            let client = Resonate(url: server.url, group: "clients")
            try await worker.withRunning { _ in
                try await client.withRunning { client in
                    let byName = try await client.rpc(
                        "m-1", "multiply", 6, 7, returning: Int.self, options: .target("workers"))
                    #expect(byName == 42)
                    let byReference = try await client.rpc("m-2", multiply, 3, 5, options: .target("workers"))
                    #expect(byReference == 15)
                    // The same id again returns the stored result without running anything.
                    let again = try await client.rpc(
                        "m-1", "multiply", 0, 0, returning: Int.self, options: .target("workers"))
                    #expect(again == 42)
                }
            }
        }
    }

    @Test("a worker that stops while a workflow sleeps out of memory gives its task back: another finishes it at once")
    func stoppingGivesReleasedSleepsBack() async throws {
        try await InProcessServer.with { server in
            let steps = Counter()
            let firstStepRan = AsyncStream.makeStream(of: Void.self)
            // Two workers of one group, each holding sleeps up to 10 s, with 120 s leases (renewed every 40 s).
            // Each step is counted under the worker that ran it.
            func worker(_ name: String) throws -> (Resonate, DurableFunction<Int, Int>) {
                var configuration = Resonate.Configuration()
                configuration.mode = .remote(url: server.url)
                configuration.group = "sleepers"
                configuration.heldSleepLimit = .seconds(10)
                configuration.ttl = .seconds(120)
                let resonate = try Resonate(configuration: configuration)
                let step = try resonate.register("step") { (_: Context, n: Int) async throws -> Int in
                    steps.increment("step\(n) \(name)")
                    if n == 1 { firstStepRan.continuation.yield() }
                    return n
                }
                let workflow = try resonate.register("sleeps") { (ctx: Context, _: Int) async throws -> Int in
                    var total = 0
                    for n in 1...3 {
                        total += try await ctx.run(step, n)
                        if n < 3 { try await ctx.sleep(for: .seconds(2)) }
                    }
                    return total
                }
                return (resonate, workflow)
            }
            let (first, workflow) = try worker("first")
            let (second, _) = try worker("second")
            try await second.withRunning { second in
                // The first worker stops during its first step or sleep. Stopping lets a released sleep run out;
                // the sleep after it (or the first, if it had not begun) is one this worker will not see through,
                // so it gives the task back instead of keeping its lease.
                try await first.withRunning { first in
                    _ = try await first.beginRun("wf-released", workflow, 0)
                    var iterator = firstStepRan.stream.makeAsyncIterator()
                    await iterator.next()
                }
                let stopped = ContinuousClock.now
                let handle = try await second.get("wf-released", returning: Int.self)
                #expect(try await handle.result() == 6)
                // Not when the first worker's lease ran out (80 s or more after it stopped): the released task went
                // to the second worker at once (within seconds; the bound leaves room for a loaded machine).
                #expect(ContinuousClock.now - stopped < .seconds(40))
            }
            #expect(steps.count("step1 first") == 1 && steps.count("step1 second") == 0)
            #expect(steps.count("step2 first") + steps.count("step2 second") == 1)
            #expect(steps.count("step3 second") == 1 && steps.count("step3 first") == 0)
        }
    }

    @Test("a workflow with local steps, a remote call, a sleep and a latent promise")
    func workflowAgainstServer() async throws {
        try await InProcessServer.with { server in
            let resonate = Resonate(url: server.url, group: "workers", ttl: .seconds(10))
            let counter = Counter()
            let step = try resonate.register("step") { (_: Context, value: Int) async throws -> Int in
                counter.increment("step\(value)")
                return value * 10
            }
            let remote = try resonate.register("remote") { (_: Context, value: Int) async throws -> Int in value + 1 }
            let ids = AsyncStream.makeStream(of: String.self)
            let workflow = try resonate.register("workflow") { (ctx: Context, start: Int) async throws -> [Int] in
                let a = try await ctx.run(step, start)
                let b = try await ctx.rpc(remote, a)
                try await ctx.sleep(for: .milliseconds(200))
                let approval = try await ctx.promise(Int.self)
                ids.continuation.yield(approval.id)
                let c = try await approval.result()
                return [a, b, c]
            }
            let result = try await resonate.withRunning { resonate in
                let handle = try await resonate.beginRun("wf-remote", workflow, 1)
                var iterator = ids.stream.makeAsyncIterator()
                let approval = try #require(await iterator.next())
                try await resonate.promises.resolve(approval, 99)
                return try await handle.result()
            }
            #expect(result == [10, 11, 99])
            #expect(counter.count("step1") == 1)
        }
    }

    /// Waits until task `id`'s first lease has expired by half a second while a renewed one holds: without
    /// renewals, the task would be free for another worker by then.
    static func waitForRenewedLease(of id: String, on server: InProcessServer) async throws {
        let firstExpiry = try await eventuallyValue("\(id)'s first lease") {
            try await server.engine.storedTask(id: id)?.timeout?.at
        }
        try await eventually("\(id)'s first lease to pass while a renewed one holds") {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let expiry = try await server.engine.storedTask(id: id)?.timeout?.at ?? 0
            return now > firstExpiry + 500 && expiry > now
        }
    }

    @Test("leases are renewed while a long step runs, so no other worker takes the task")
    func heartbeatsKeepLeases() async throws {
        try await InProcessServer.with { server in
            let runs = Counter()
            // Renewals every ttl / 3. The test runs in one process with the server and the rest of the suite, whose
            // load can delay a renewal by seconds; a lease lost that way would rightly run the step again, so the
            // lease outlasts two missed renewals plus such a delay.
            let first = Resonate(url: server.url, group: "workers", ttl: .seconds(20))
            let second = Resonate(url: server.url, group: "workers", ttl: .seconds(20))
            for resonate in [first, second] {
                try resonate.register("long") { (_: Context) async throws -> String in
                    runs.increment()
                    // The step outlasts the lease it began with, and ends once the stored lease shows a renewal.
                    try await Self.waitForRenewedLease(of: "long-1", on: server)
                    return "done"
                }
            }
            let result = try await first.withRunning { first in
                try await second.withRunning { _ in
                    try await first.rpc("long-1", "long", returning: String.self, options: .target("workers"))
                }
            }
            #expect(result == "done")
            #expect(runs.count() == 1)
        }
    }

    @Test("an execution started here keeps its lease while it waits for a task slot, and runs once")
    func leaseKeptWhileWaitingForSlot() async throws {
        try await InProcessServer.with { server in
            let runs = Counter()
            var configuration = Resonate.Configuration()
            configuration.mode = .remote(url: server.url)
            configuration.group = "workers"
            // Renewals every ttl / 3; long enough that the suite's load cannot delay one past the lease (see above).
            configuration.ttl = .seconds(20)
            configuration.maxConcurrentTasks = 1
            let resonate = try Resonate(configuration: configuration)
            let blocker = try resonate.register("blocker") { (_: Context) async throws -> String in
                // Holds the only slot until the waiting execution's first lease has passed while a renewed one
                // holds it.
                try await Self.waitForRenewedLease(of: "quick-1", on: server)
                return "done"
            }
            let quick = try resonate.register("quick") { (_: Context) async throws -> String in
                runs.increment()
                return "quick"
            }
            let results = try await resonate.withRunning { resonate in
                let first = try await resonate.beginRun("blocker-1", blocker)
                let second = try await resonate.beginRun("quick-1", quick)
                return [try await first.result(), try await second.result()]
            }
            #expect(results == ["done", "quick"])
            #expect(runs.count() == 1)
        }
    }

    @Test("calls keep working while the server ends the processes' message streams every second or so")
    func streamsEndedByTheServer() async throws {
        try await InProcessServer.with(server: { $0.pollStreamLifetime = .milliseconds(1200) }) { server in
            let worker = Resonate(url: server.url, group: "workers")
            try worker.register("double") { (_: Context, n: Int) async throws -> Int in 2 * n }
            let client = Resonate(url: server.url, group: "clients")
            try await worker.withRunning { _ in
                try await client.withRunning { client in
                    // Spread over several lifetimes: each call needs both streams (the execute, the result).
                    for index in 0..<10 {
                        let doubled = try await client.rpc(
                            "stream-\(index)", "double", index, returning: Int.self, options: .target("workers"))
                        #expect(doubled == 2 * index)
                        try await Task.sleep(for: .milliseconds(400))
                    }
                }
            }
            // Both processes' first streams ended and they reconnected (the order is theirs).
            #expect(server.server.pollStreamsOpened >= 4)
        }
    }

    @Test("a handle on an existing execution, isDone, and the promises and schedules clients")
    func clients() async throws {
        try await InProcessServer.with { server in
            let resonate = Resonate(url: server.url, group: "workers")
            let echo = try resonate.register("echo") { (_: Context, text: String) async throws -> String in text }
            try await resonate.withRunning { resonate in
                _ = try await resonate.run("echo-1", echo, "hello")
                let handle = try await resonate.get("echo-1", returning: String.self)
                #expect(try await handle.isDone)
                #expect(try await handle.result() == "hello")
                await #expect(throws: ResonateError.self) {
                    _ = try await resonate.get("missing", returning: String.self)
                }

                let created = try await resonate.promises.create(
                    "manual", timeout: .seconds(60), param: ["k": 1], tags: ["app": "t"])
                #expect(created.state == .pending)
                let resolved = try await resonate.promises.resolve("manual", "value")
                #expect(try resonate.promises.value(of: resolved, as: String.self) == "value")
                _ = try await resonate.promises.create("to-cancel", timeout: .seconds(60), tags: ["app": "t"])
                #expect(try await resonate.promises.cancel("to-cancel").state == .rejectedCanceled)
                let page = try await resonate.promises.search(tags: ["app": "t"], limit: 1)
                #expect(page.promises.map(\.id) == ["manual"])
                #expect(page.cursor == "manual")
                let next = try await resonate.promises.search(tags: ["app": "t"], limit: 1, cursor: page.cursor)
                #expect(next.promises.map(\.id) == ["to-cancel"])

                let schedule = try await resonate.schedules.create("every-second", cron: "* * * * * *", echo, "tick")
                #expect(schedule.promiseTags["resonate:target"] == "poll://any@workers")
                #expect(try await resonate.schedules.get("every-second").cron == "* * * * * *")
                #expect(try await resonate.schedules.search().schedules.map(\.id) == ["every-second"])
                try await resonate.schedules.delete("every-second")
                await #expect(throws: ResonateError.self) { _ = try await resonate.schedules.get("every-second") }
            }
        }
    }

    @Test("calls fail clearly while the instance is not running")
    func notRunning() async throws {
        try await InProcessServer.with { server in
            let resonate = Resonate(url: server.url)
            let echo = try resonate.register("echo") { (_: Context, text: String) async throws -> String in text }
            await #expect {
                _ = try await resonate.run("x", echo, "y")
            } throws: { error in
                (error as? ResonateError)?.code == .notRunning
            }
        }
    }

    @Test("stop drains the executions in flight")
    func stopDrains() async throws {
        try await InProcessServer.with { server in
            let resonate = Resonate(url: server.url, group: "workers")
            let finished = Counter()
            let started = AsyncStream.makeStream(of: Void.self)
            let slow = try resonate.register("slow") { (_: Context) async throws in
                started.continuation.yield()
                try await Task.sleep(for: .milliseconds(300))
                finished.increment()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await resonate.run() }
                try await resonate.waitUntilRunning()
                _ = try await resonate.beginRun("slow-1", slow)
                var iterator = started.stream.makeAsyncIterator()
                await iterator.next()
                await resonate.stop()
                #expect(finished.count() == 1)
                try await group.waitForAll()
            }
        }
    }
}

@Suite("Server restarts", .timeLimit(.minutes(2)), .serialized)
struct ServerRestartTests {
    @Test("workers reconnect after the server restarts, and a waiting caller still gets its result")
    func reconnectAfterRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("restart-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = "sqlite:\(directory)/server.db"
        let first = try await ServerProcess(arguments: ["serve", "--store", store], logPath: "\(directory)/first.log")
        let port = first.port
        let worker = Resonate(url: first.url, group: "workers")
        let napped = Counter()
        try worker.register("nap") { (ctx: Context, milliseconds: Int) async throws -> String in
            try await ctx.sleep(for: .milliseconds(milliseconds))
            napped.increment()
            return "rested"
        }
        let client = Resonate(url: first.url, group: "clients")
        let result = try await worker.withRunning { _ in
            try await client.withRunning { client in
                let handle = try await client.beginRpc(
                    "nap-restart", "nap", 2_000, returning: String.self, options: .target("workers"))
                // Restart the server on the same port and database while the workflow sleeps.
                first.kill9()
                let second = try await ServerProcess(
                    arguments: ["serve", "--store", store],
                    port: port,
                    logPath: "\(directory)/second.log"
                )
                defer { second.terminate() }
                return try await handle.result()
            }
        }
        #expect(result == "rested")
        #expect(napped.count() == 1)
    }
}
