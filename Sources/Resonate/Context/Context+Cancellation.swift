// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Context {
    /// Runs `body` so that its durable calls are made even though this execution was canceled: the place for
    /// cleanup and compensation.
    ///
    /// A canceled execution observes its cancellation as Swift cancellation: the first durable call that had not
    /// finished when it was canceled throws `CancellationError`. Catch it, undo what the finished steps did inside
    /// this scope, and rethrow. The steps here are checkpointed like any other, so each runs once even if a
    /// process dies during the cleanup.
    ///
    /// ```swift
    /// let booking = try await resonate.register("book-trip") { (ctx: Context, trip: Trip) async throws -> Itinerary in
    ///     let hotel = try await ctx.run(reserveHotel, trip)
    ///     do {
    ///         let flight = try await ctx.run(reserveFlight, trip)
    ///         return Itinerary(hotel: hotel, flight: flight)
    ///     } catch is CancellationError {
    ///         try await ctx.nonCancellable {
    ///             try await ctx.run(cancelHotel, hotel)
    ///         }
    ///         throw CancellationError()
    ///     }
    /// }
    /// ```
    ///
    /// Outside a canceled execution's cleanup the scope changes nothing.
    @discardableResult
    public func nonCancellable<T>(_ body: () async throws -> T) async rethrows -> T {
        try await CancellationShield.$isActive.withValue(true) { try await body() }
    }
}
