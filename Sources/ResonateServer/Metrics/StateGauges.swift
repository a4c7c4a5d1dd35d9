// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Metrics
import ResonateEngine
import ResonateProtocol

/// Gauges of what the store holds: `resonate_promises{state}`, `resonate_tasks{state}`, `resonate_outbox_depth`,
/// `resonate_outbox_parked` (messages waiting for a group to connect), `resonate_outbox_relayed` (messages relayed to
/// another replica and not yet acknowledged) and `resonate_schedules`.
struct StateGauges: Sendable {
    /// One set per process: the gauges are registered once with the metrics backend.
    static let shared = StateGauges()

    private let promises = Dictionary(
        uniqueKeysWithValues: PromiseState.allCases.map {
            ($0, Gauge(label: "resonate_promises", dimensions: [("state", $0.rawValue)]))
        }
    )
    private let tasks = Dictionary(
        uniqueKeysWithValues: TaskState.allCases.map {
            ($0, Gauge(label: "resonate_tasks", dimensions: [("state", $0.rawValue)]))
        }
    )
    private let outboxDepth = Gauge(label: "resonate_outbox_depth")
    private let parked = Gauge(label: "resonate_outbox_parked")
    private let relayed = Gauge(label: "resonate_outbox_relayed")
    private let schedules = Gauge(label: "resonate_schedules")

    /// Reads the counts from `engine` and records them; a failed read leaves the previous values.
    func update<S: Store>(from engine: Engine<S>, logger: Logger) async {
        parked.record(engine.parkedMessageCount)
        relayed.record(engine.unacknowledgedRelayCount)
        let statistics: StoreStatistics
        do {
            statistics = try await engine.statistics()
        } catch {
            logger.warning("cannot read store statistics for metrics", metadata: ["error": "\(error)"])
            return
        }
        for (state, gauge) in promises { gauge.record(statistics.promises[state] ?? 0) }
        for (state, gauge) in tasks { gauge.record(statistics.tasks[state] ?? 0) }
        outboxDepth.record(statistics.outboxDepth)
        schedules.record(statistics.schedules)
    }
}
