// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

@Suite("Cancellation", .timeLimit(.minutes(1)))
struct CancellationTests {
    /// Where the workflow waits when it is canceled.
    enum WaitKind: String, CaseIterable, CustomStringConvertible {
        /// A latent promise nobody settles.
        case latentPromise
        /// A one-hour durable sleep.
        case sleep
        /// A remote call whose function waits on a latent promise of its own.
        case remoteCall
        var description: String { rawValue }
    }

    /// A booking: reserve (step 1), wait (promise 2), ship (never reached); on cancellation it releases the
    /// reservation in a non-cancellable scope (step 3).
    struct Booking {
        let function: DurableFunction<Int, Int>
        let counts = Counter()

        init(on resonate: Resonate, waiting kind: WaitKind) throws {
            let counts = self.counts
            let reserve = try resonate.register("reserve") { (_: Context, n: Int) async throws -> Int in
                counts.increment("reserve")
                return n
            }
            let release = try resonate.register("release") { (_: Context, n: Int) async throws -> Int in
                counts.increment("release")
                return n
            }
            let ship = try resonate.register("ship") { (_: Context, n: Int) async throws -> Int in
                counts.increment("ship")
                return n
            }
            let hold = try resonate.register("hold") { (ctx: Context, n: Int) async throws -> Int in
                counts.increment("hold")
                return try await ctx.promise(Int.self).result() + n
            }
            function = try resonate.register("booking") { (ctx: Context, n: Int) async throws -> Int in
                let held = try await ctx.run(reserve, n)
                do {
                    switch kind {
                    case .latentPromise: _ = try await ctx.promise(Int.self).result()
                    case .sleep: try await ctx.sleep(for: .hours(1))
                    case .remoteCall: _ = try await ctx.rpc(hold, n)
                    }
                    return try await ctx.run(ship, held)
                } catch is CancellationError {
                    counts.increment("observed")
                    try await ctx.nonCancellable { _ = try await ctx.run(release, held) }
                    throw CancellationError()
                }
            }
        }
    }

    /// Waits until promise `id` exists and is in `state`.
    static func waitFor(_ id: String, _ state: PromiseState, on resonate: Resonate) async throws -> PromiseRecord {
        try await eventuallyValue("\(id) to be \(state)", within: .seconds(20)) {
            guard let record = try? await resonate.promises.get(id), record.state == state else { return nil }
            return record
        }
    }

    @Test(
        "a canceled execution stops where it waits, its cleanup step runs once, and nothing runs after the cancel",
        arguments: WaitKind.allCases, [true, false])
    func cleanupRunsOnce(waiting kind: WaitKind, keptInMemory: Bool) async throws {
        var configuration = Resonate.Configuration()
        if !keptInMemory { configuration.maxParkedExecutions = 0 }
        let resonate = try Resonate(configuration: configuration)
        let booking = try Booking(on: resonate, waiting: kind)
        try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("b", booking.function, 7)
            let waitedOn = kind == .remoteCall ? "b:2.1" : "b:2"
            _ = try await Self.waitFor(waitedOn, .pending, on: resonate)

            let started = ContinuousClock.now
            #expect(try await handle.cancel(reason: "the customer withdrew") == .canceled)
            let error = await #expect(throws: ResonateError.self) { try await handle.result() }
            #expect(error?.code == .canceled)
            #expect("\(error.map { "\($0)" } ?? "")".contains("the customer withdrew"))

            // Everything the execution started is canceled with it, at once.
            for id in ["b", "b:2"] + (kind == .remoteCall ? ["b:2.1"] : []) {
                #expect(try await resonate.promises.get(id).state == .rejectedCanceled, "\(id)")
            }
            // The cleanup replays the execution, which observes the cancellation and releases the reservation.
            _ = try await Self.waitFor("b:cleanup", .resolved, on: resonate)
            #expect(ContinuousClock.now - started < .seconds(10), "a one-hour sleep must not delay the cleanup")
            #expect(try await resonate.promises.get("b:3").state == .resolved)
            #expect(booking.counts.count("reserve") == 1)
            #expect(booking.counts.count("release") == 1)
            #expect(booking.counts.count("ship") == 0)
            #expect(booking.counts.count("observed") == 1)
            // A replay re-enters a function's body: the remote call's entered once running, once to clean up.
            #expect(booking.counts.count("hold") == (kind == .remoteCall ? 2 : 0))
            if kind == .remoteCall {
                // The remote call was canceled while it waited: its own cleanup pass observed it and ended.
                _ = try await Self.waitFor("b:2.cleanup", .resolved, on: resonate)
            }
            // The canceled execution's promise stays canceled.
            #expect(try await resonate.promises.get("b").state == .rejectedCanceled)
        }
    }

    @Test("cancelling a finished, an already canceled or an unknown execution changes nothing and says so")
    func finishedExecutions() async throws {
        let resonate = try Resonate.local()
        let add = try resonate.register("add") { (_: Context, a: Int, b: Int) async throws -> Int in a + b }
        try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("sum", add, 1, 2)
            #expect(try await handle.result() == 3)
            #expect(try await resonate.cancel("sum") == .alreadySettled(.resolved))
            #expect(try await resonate.promises.get("sum").state == .resolved)

            let latent = try await resonate.promises.create("waiting", timeout: .hours(1))
            #expect(try await resonate.cancel(latent.id) == .canceled)
            #expect(try await resonate.cancel(latent.id) == .alreadySettled(.rejectedCanceled))

            let error = await #expect(throws: ResonateError.self) { try await resonate.cancel("nobody") }
            #expect(error?.code == .notFound)
        }
    }

    @Test("a detached execution keeps running when its creator is canceled")
    func detachedSurvives() async throws {
        let resonate = try Resonate.local()
        let counts = Counter()
        let background = try resonate.register("background") { (ctx: Context) async throws -> Int in
            counts.increment("background")
            return try await ctx.promise(Int.self).result()
        }
        let parent = try resonate.register("parent") { (ctx: Context) async throws -> String in
            let id = try await ctx.detached(background)
            _ = try await ctx.promise(Int.self).result()
            return id
        }
        try await resonate.withRunning { resonate in
            let handle = try await resonate.beginRun("p", parent)
            _ = try await Self.waitFor("p:2", .pending, on: resonate)
            let detached = try #require(
                try await resonate.promises.search(tags: ["resonate:parent": "p"]).promises.first {
                    $0.id.hasPrefix("p:d")
                })
            #expect(try await handle.cancel() == .canceled)
            #expect(try await resonate.promises.get("p:2").state == .rejectedCanceled)
            #expect(try await resonate.promises.get(detached.id).state == .pending)
            // Its own latent promise is its child, not the canceled execution's: still pending too.
            _ = try await Self.waitFor("\(detached.id).1", .pending, on: resonate)
            #expect(counts.count("background") >= 1)
        }
    }

    @Test("the trip-booking example undoes its bookings in reverse order when canceled")
    func tripBookingExample() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("trip-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let example = try ChildProcess(executable: ChildProcess.executable("trip-booking"), arguments: [], logPath: log)
        #expect(try await example.waitForExit(timeout: .seconds(30)) == 0, "\(example.output)")
        #expect(
            example.output.split(separator: "\n") == [
                "booked the hotel in Lisbon",
                "booked the flight to Lisbon",
                "waiting for the payment: settle trip-1:3 to pay",
                "canceled: the promise trip-1 was canceled: the customer changed their mind",
                "released flight to Lisbon-42",
                "released hotel in Lisbon-42",
            ])
    }
}
