// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Resonate
import ResonateBenchSupport
import Synchronization

/// A worker program for the SDK's process-level and cross-language tests.
///
/// Every completed step appends a line to a ledger file (fsynced), so tests can count side effects across
/// crashes: a step that appears twice ran twice.
@main
struct SDKTestWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdk-test-worker",
        subcommands: [Serve.self, Call.self, Local.self, Soak.self, Sleepers.self]
    )
}

/// Registers the test functions on `resonate`.
func registerFunctions(_ resonate: Resonate, ledger: String?, blockAt: Int?) throws {
    let step = try resonate.register("step") { (ctx: Context, run: String, index: Int) async throws -> Int in
        if index == blockAt {
            try appendLine("\(run) \(index) blocked", to: ledger)
            // Stand in for a process that dies in the middle of a step: never finish.
            try await Task.sleep(for: .seconds(3600))
        }
        try appendLine("\(run) \(index)", to: ledger)
        return index
    }
    try resonate.register("steps") { (ctx: Context, run: String, count: Int) async throws -> String in
        var total = 0
        for index in 1...count {
            total += try await ctx.run(step, run, index)
        }
        return "\(run) done \(total)"
    }
    // A long execution: `count` iterations of a step and a durable sleep.
    try resonate.register("loop") {
        (ctx: Context, run: String, count: Int, sleepMilliseconds: Int) async throws -> String in
        var total = 0
        for index in 1...count {
            total += try await ctx.run(step, run, index)
            try await ctx.sleep(for: .milliseconds(sleepMilliseconds))
        }
        return "\(run) looped \(total)"
    }
    let mark = try resonate.register("mark") { (_: Context, run: String, text: String) async throws in
        try appendLine("\(run) \(text)", to: ledger)
    }
    try resonate.register("napper") { (ctx: Context, run: String, milliseconds: Int) async throws -> String in
        try await ctx.run(mark, run, "before")
        try await ctx.sleep(for: .milliseconds(milliseconds))
        try await ctx.run(mark, run, "after")
        return "\(run) rested"
    }
    try resonate.register("swift_add") { (_: Context, a: Int, b: Int) async throws -> Int in a + b }
    try resonate.register("swift_fail", retry: .never) { (_: Context, message: String) async throws -> Int in
        throw ApplicationError(name: "SwiftFailure", message: message)
    }
    try resonate.register("call_python") { (ctx: Context, a: Int, b: Int) async throws -> Int in
        try await ctx.rpc("py_mul", a, b, returning: Int.self, options: .target("py-workers"))
    }
    // Cancellation: a trip reserves (a local step), starts a remote call on another Swift group ("hold", which waits
    // on a latent promise) and one on the Python workers ("py_hold", which sleeps), then sleeps for an hour. On
    // cancellation it releases the reservation in a non-cancellable scope.
    try resonate.register("trip") { (ctx: Context, run: String) async throws -> String in
        try await ctx.run(mark, run, "reserve")
        let swift = try await ctx.beginRpc("hold", run, returning: String.self, options: .target("swift-b"))
        let python = try await ctx.beginRpc("py_hold", run, returning: String.self, options: .target("py-workers"))
        do {
            try await ctx.sleep(for: .hours(1))
            _ = try await (swift.result(), python.result())
            try await ctx.run(mark, run, "ship")
            return "\(run) shipped"
        } catch is CancellationError {
            try await ctx.nonCancellable { try await ctx.run(mark, run, "release") }
            throw CancellationError()
        }
    }
    try resonate.register("hold") { (ctx: Context, run: String) async throws -> String in
        try await ctx.run(mark, run, "hold")
        _ = try await ctx.promise(String.self).result()
        try await ctx.run(mark, run, "hold-after")
        return "\(run) held"
    }
}

/// Writes a line to standard output at once (unbuffered), for tests that wait for it.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func appendLine(_ line: String, to path: String?) throws {
    guard let path else { return }
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    guard descriptor >= 0 else { throw ValidationError("cannot open \(path)") }
    defer { close(descriptor) }
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    fsync(descriptor)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a worker until SIGTERM.")

    @Option var url: String
    @Option var group = "workers"
    @Option var pid: String?
    @Option var ttlMilliseconds = 60_000
    @Option var ledger: String?
    @Option var blockAt: Int?
    @Option(help: "Executions run at once, at most; the others wait, unacquired.") var concurrentTasks = 64

    func run() async throws {
        var configuration = Resonate.Configuration()
        configuration.mode = .remote(url: url)
        configuration.group = group
        if let pid { configuration.pid = pid }
        configuration.ttl = .milliseconds(ttlMilliseconds)
        configuration.maxConcurrentTasks = concurrentTasks
        let resonate = try Resonate(configuration: configuration)
        try registerFunctions(resonate, ledger: ledger, blockAt: blockAt)
        say("READY \(resonate.pid)")
        try await resonate.serve()
    }
}

struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Call a function by name and print its JSON result.")

    @Option var url: String
    @Option var id: String
    @Option var function: String
    @Option var target: String
    @Option(help: "The arguments as a JSON array.") var arguments = "[]"

    func run() async throws {
        let resonate = Resonate(url: url, group: "swift-clients")
        guard case .array(let values) = try JSONDecoder().decode(JSONValue.self, from: Data(arguments.utf8)) else {
            throw ValidationError("--arguments must be a JSON array")
        }
        let outcome: Result<JSONValue, any Error> = await resonate.withRunningResult { resonate in
            try await resonate.beginRpc(
                id, function, arguments: values, returning: JSONValue.self, options: .target(target)
            )
            .result()
        }
        switch outcome {
        case .success(let value):
            say("RESULT " + String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
        case .failure(let error):
            say("ERROR \(error)")
        }
    }
}

struct Local: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run steps(run, count) in local mode on a SQLite file.")

    @Option var path: String
    @Option var id: String
    @Option var count = 3
    @Option var ledger: String
    @Option var blockAt: Int?

    func run() async throws {
        let resonate = try Resonate.local(path: path)
        try registerFunctions(resonate, ledger: ledger, blockAt: blockAt)
        let result = try await resonate.withRunning { resonate in
            try await resonate.rpc(id, "steps", id, count, returning: String.self)
        }
        say("RESULT \(result)")
    }
}

struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one-step workflows in local mode, in memory, printing the resident memory every so often.")

    @Option var count = 6_000
    @Option var reportEvery = 1_000
    @Option var inFlight = 16

    func run() async throws {
        let resonate = try Resonate.local()
        let step = try resonate.register("step") { (_: Context, value: Int) async throws -> Int in value + 1 }
        try await resonate.withRunning { resonate in
            var next = 0
            while next < count {
                // A round of workflows at once, each awaited, like a worker's steady traffic.
                let round = min(inFlight, count - next)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in next..<(next + round) {
                        group.addTask {
                            guard try await resonate.run("soak-\(index)", step, index) == index + 1 else {
                                throw ValidationError("workflow soak-\(index) returned a wrong result")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                next += round
                if next % reportEvery == 0 {
                    guard let resident = ProcessMemory.residentKiB() else {
                        throw ValidationError("no resident memory in /proc/self/status")
                    }
                    say("RSS \(next) \(resident)")
                }
            }
        }
    }
}

struct Sleepers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start workflows in local mode, in memory, that each run a step and hold a sleep; print the "
            + "resident memory before they start and once all of them sleep, then let them finish.")

    @Option var count = 2_000
    @Option(help: "Resonate.Configuration.heldSleepHistoryLimit (0: every sleep waits in its task).")
    var historyLimit = 64
    @Option(help: "Seconds each workflow sleeps.") var sleep = 5.0

    func run() async throws {
        var configuration = Resonate.Configuration()
        configuration.mode = .local(path: nil)
        configuration.heldSleepLimit = .seconds(60)
        configuration.heldSleepHistoryLimit = historyLimit
        // Enough slots for every sleep to be held even in its task (held there only while a quarter are free).
        configuration.maxConcurrentTasks = 2 * count
        let resonate = try Resonate(configuration: configuration)
        let stepsRun = Mutex(0)
        let woken = Mutex(0)
        let step = try resonate.register("step") { (_: Context, value: Int) async throws -> Int in
            stepsRun.withLock { $0 += 1 }
            return value + 1
        }
        let duration = Duration.milliseconds(Int64(sleep * 1000))
        let sleeper = try resonate.register("sleeper") { (ctx: Context, value: Int) async throws -> Int in
            let first = try await ctx.run(step, value)
            try await ctx.sleep(for: duration)
            woken.withLock { $0 += 1 }
            return try await ctx.run(step, first)
        }
        try await resonate.withRunning { resonate in
            // A warm-up workflow first, so that what is measured is the sleepers alone.
            _ = try await resonate.run("warm-up", step, 0)
            guard let before = ProcessMemory.residentKiB() else {
                throw ValidationError("no resident memory in /proc/self/status")
            }
            say("RSS before \(before)")
            var handles: [Handle<Int>] = []
            for index in 0..<count { handles.append(try await resonate.beginRun("sleeper-\(index)", sleeper, index)) }
            // Until every one sleeps: released (counted), or, kept in its task, past its first step.
            func allSleep() -> Bool {
                historyLimit > 0
                    ? resonate.resumeStatistics.releasedWhileSleeping == count
                    : stepsRun.withLock { $0 } >= count + 1  // and the warm-up's
            }
            while !allSleep() { try await Task.sleep(for: .milliseconds(20)) }
            guard let sleeping = ProcessMemory.residentKiB() else {
                throw ValidationError("no resident memory in /proc/self/status")
            }
            say("RSS sleeping \(sleeping)")
            // A workflow that woke before the reading (its sleep shorter than the others' start-up) would make it
            // measure something else.
            say("WOKEN \(woken.withLock { $0 })")
            for (index, handle) in handles.enumerated() {
                guard try await handle.result() == index + 2 else {
                    throw ValidationError("workflow sleeper-\(index) returned a wrong result")
                }
            }
            say("DONE \(count) released \(resonate.resumeStatistics.releasedWhileSleeping)")
        }
    }
}

extension Resonate {
    /// Runs `body` while running, capturing its outcome.
    func withRunningResult<T: Sendable>(
        _ body: @escaping @Sendable (Resonate) async throws -> T
    ) async -> Result<T, any Error> {
        do {
            return .success(try await withRunning(body))
        } catch {
            return .failure(error)
        }
    }
}
