// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Resonate

/// A saga: book a hotel and a flight, then wait for the customer's payment. Canceled while it waits, the trip
/// undoes what it booked, in reverse order, with durable steps that run once even if the process dies meanwhile.
///
/// Runs in local mode, with its state in memory.
@main
struct TripBooking {
    /// What the compensations report to the program (a dependency of the durable functions).
    struct Log: Sendable {
        let lines: AsyncStream<String>.Continuation
    }

    static func main() async throws {
        let resonate = try Resonate.local()
        let (lines, log) = AsyncStream.makeStream(of: String.self)
        resonate.setDependency(Log(lines: log))

        let book = try resonate.register("book") { (ctx: Context, what: String) async throws -> String in
            print("booked the \(what)")
            return "\(what)-42"
        }
        let release = try resonate.register("release") { (ctx: Context, booking: String) async throws in
            try ctx.dependency(Log.self).lines.yield("released \(booking)")
        }
        let askForPayment = try resonate.register("askForPayment") { (ctx: Context, promiseID: String) async throws in
            try ctx.dependency(Log.self).lines.yield("waiting for the payment: settle \(promiseID) to pay")
        }
        let trip = try resonate.register("trip") { (ctx: Context, city: String) async throws -> String in
            var booked: [String] = []
            do {
                booked.append(try await ctx.run(book, "hotel in \(city)"))
                booked.append(try await ctx.run(book, "flight to \(city)"))
                let payment = try await ctx.promise(Int.self, timeout: .days(2))
                try await ctx.run(askForPayment, payment.id)
                return "paid \(try await payment.result()) for \(city)"
            } catch is CancellationError {
                // Canceled: compensate in reverse order. These steps run despite the cancellation, durably.
                try await ctx.nonCancellable {
                    for booking in booked.reversed() { try await ctx.run(release, booking) }
                }
                throw CancellationError()
            }
        }

        try await resonate.withRunning { resonate in
            var log = lines.makeAsyncIterator()
            let handle = try await resonate.beginRun("trip-1", trip, "Lisbon")
            if let line = await log.next() { print(line) }
            // Stand in for a customer who changes their mind while the trip waits for the payment.
            try await handle.cancel(reason: "the customer changed their mind")
            do {
                try await handle.result()
            } catch {
                print(error)  // canceled: the promise trip-1 was canceled: the customer changed their mind
            }
            for _ in 1...2 {
                if let line = await log.next() { print(line) }  // released flight-…, then released hotel-…
            }
        }
    }
}
