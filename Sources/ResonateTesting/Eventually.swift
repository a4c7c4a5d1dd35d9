// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Waits until `condition` holds, checking it every `interval`; after `limit`, throws ``EventuallyTimeout`` naming
/// what it waited for.
///
/// The one polling loop of the tests: every wait has a bound, and its failure says what did not happen. The bound
/// only guards against a hang; conditions normally hold within milliseconds, but a CI machine running every suite
/// at once on two cores can take many seconds. Time the waiting task itself could not run (its sleeps overran)
/// is added to the bound.
///
/// ```swift
/// try await eventually("the worker to connect") { server.pollConnectionCount == 1 }
/// ```
///
/// - Parameter what: what is awaited, evaluated only on failure (so it may show the state at that moment).
public func eventually(
    _ what: @autoclosure () -> String,
    within limit: Duration = .seconds(60),
    checkingEvery interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    var deadline = StallAwareDeadline(limit: limit)
    while try await !condition() {
        guard !deadline.hasPassed else {
            throw EventuallyTimeout(what: what(), limit: limit, stalled: deadline.stalled)
        }
        try await deadline.sleep(for: interval)
    }
}

/// Waits until `produce` returns a value and returns it; after `limit`, throws ``EventuallyTimeout`` (see
/// ``eventually(_:within:checkingEvery:_:)``).
///
/// ```swift
/// let record = try await eventuallyValue("wf to settle") { try await client.settledPromise("wf") }
/// ```
public func eventuallyValue<Value>(
    _ what: @autoclosure () -> String,
    within limit: Duration = .seconds(60),
    checkingEvery interval: Duration = .milliseconds(10),
    _ produce: () async throws -> Value?
) async throws -> Value {
    var deadline = StallAwareDeadline(limit: limit)
    while true {
        if let value = try await produce() { return value }
        guard !deadline.hasPassed else {
            throw EventuallyTimeout(what: what(), limit: limit, stalled: deadline.stalled)
        }
        try await deadline.sleep(for: interval)
    }
}

/// The end of a bounded wait, moved later by the time its own sleeps overran.
///
/// A sleep that wakes seconds late means the whole process was starved of threads (every test of a run shares
/// two cores in CI), so the code being waited for could not run either. That time is not counted against it.
struct StallAwareDeadline {
    private var end: ContinuousClock.Instant
    /// The overruns added so far.
    private(set) var stalled = Duration.zero
    /// Overruns up to this are ordinary scheduling delay and count.
    private static let tolerance = Duration.milliseconds(100)

    init(limit: Duration) {
        end = .now + limit
    }

    var hasPassed: Bool { ContinuousClock.now >= end }

    mutating func sleep(for interval: Duration) async throws {
        let start = ContinuousClock.now
        try await Task.sleep(for: interval)
        let overrun = ContinuousClock.now - start - interval
        if overrun > Self.tolerance {
            end += overrun
            stalled += overrun
        }
    }
}

/// A bounded wait of ``eventually(_:within:checkingEvery:_:)`` ran out.
public struct EventuallyTimeout: Error, CustomStringConvertible {
    /// What was awaited.
    public let what: String
    /// How long it was awaited.
    public let limit: Duration
    /// How much longer the wait went on because the waiting task itself could not run (see the overview).
    public let stalled: Duration

    public var description: String {
        let starved = stalled > .zero ? " (and \(stalled) more while the waiting task itself could not run)" : ""
        return "timed out after \(limit)\(starved) waiting for \(what)"
    }
}
