// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// How much a store holds, for gauges: promises and tasks by state, queued messages, schedules.
public struct StoreStatistics: Sendable, Hashable {
    public var promises: [PromiseState: Int]
    public var tasks: [TaskState: Int]
    /// Messages in the outbox, not yet delivered.
    public var outboxDepth: Int
    public var schedules: Int

    public init(promises: [PromiseState: Int], tasks: [TaskState: Int], outboxDepth: Int, schedules: Int) {
        self.promises = promises
        self.tasks = tasks
        self.outboxDepth = outboxDepth
        self.schedules = schedules
    }
}

extension StoreTransaction {
    /// Counts everything from a ``snapshot()``. Correct for any store but reads every row: stores override it
    /// with counting queries.
    public func statistics() async throws -> StoreStatistics {
        let snapshot = try await snapshot()
        return StoreStatistics(
            promises: Dictionary(grouping: snapshot.promises, by: \.state).mapValues(\.count),
            tasks: Dictionary(grouping: snapshot.tasks, by: \.state).mapValues(\.count),
            outboxDepth: snapshot.outbox.count,
            schedules: snapshot.schedules.count
        )
    }
}
