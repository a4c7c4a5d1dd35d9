// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The worker started on a topic that already holds thousands of requests: far more than its fetch buffer and its
/// in-flight bound: the dispatcher waits for permits, the consumer's buffer fills and the consumer waits for room
/// (pausing its partitions only if the buffer stayed full for long) while the member stays in its group.
@Suite("Durable Kafka worker under a backlog", .serialized, .timeLimit(.minutes(10)))
struct KafkaBacklogTests {
    static let records = 5_000
    static let maxInFlight = 100
    static let fetchBuffer = 64

    @Test(
        "5,000 requests waiting before the worker starts: each completes exactly once, within the bounds",
        arguments: [0, 4_096]
    )
    func backlogBeforeStart(parkedExecutions: Int) async throws {
        let environment = try await KafkaWorkerEnvironment("backlog-\(parkedExecutions)")
        // Two batches per record with half a second of durable sleep between them: workflows last long enough
        // for the in-flight bound to be reached, and the run is long in records, not in sleeps.
        let offsets = try await environment.produce(count: Self.records, rows: 20)
        #expect(offsets.count == Self.records)

        let metricsPort = try LocalPorts.free()
        let worker = try environment.startWorker(
            "worker",
            [
                "--failure-rate", "0.25", "--max-in-flight", "\(Self.maxInFlight)", "--fetch-buffer",
                "\(Self.fetchBuffer)", "--progress-interval", "0.5", "--batch-sleep", "0.5",
                "--parked-executions", "\(parkedExecutions)",
                // Every sleep suspends, so resumes go through the parked executions (or replay) under the backlog;
                // the other suites run with held sleeps, the default.
                "--hold-sleeps-under", "0",
                "--metrics-port", "\(metricsPort)",
                // No failover here: a lease long enough that a starved machine (the whole suite runs at once)
                // does not lose it, which would run a batch twice, as at-least-once allows.
                "--ttl", "10",
            ]
        )
        // Mid-run, once the in-flight bound is reached and the buffer is full, the metrics show work under way and
        // the lag of the backlog.
        try await eventually("the in-flight bound and a full buffer", within: .seconds(120)) {
            Self.progressLines(of: worker.output).contains {
                Self.figure("in flight", in: $0) == Self.maxInFlight
                    && Self.figure("buffered", in: $0) ?? 0 >= Self.fetchBuffer - 1
            }
        }
        let metrics = try await Self.scrape(port: metricsPort)
        for name in [
            "kafka_worker_records_seen_total", "kafka_worker_records_dispatched_total",
            "kafka_worker_records_completed_total", "kafka_worker_in_flight", "kafka_worker_buffered",
            "kafka_worker_fetch_paused", "kafka_consumer_lag{topic=\"records_to_be_deleted\",partition=\"0\"}",
        ] {
            #expect(metrics.contains("\n\(name) "), "no \(name) in:\n\(metrics)")
        }
        #expect(!metrics.contains("\nkafka_worker_records_seen_total 0\n"))
        #expect(!metrics.contains("\nkafka_consumer_lag{topic=\"records_to_be_deleted\",partition=\"0\"} 0.0\n"))

        try await environment.waitForCompletions(of: Set(offsets.keys), timeout: .seconds(480))
        // It is still there: no abort under backpressure.
        #expect(worker.isRunning)
        let peakMemory = try Self.peakResidentMegabytes(of: worker.process.processIdentifier)
        worker.terminate()
        // Bounded work, bounded memory: the figure for 5,000 records, in a debug build, with 100 in flight.
        #expect(peakMemory < 150, "peak RSS \(peakMemory) MB")

        let completions = try await environment.allCompletions()
        #expect(completions.count == Self.records, "one completion per record, none twice")
        #expect(Set(completions.map(\.recordID)) == Set(offsets.keys))
        #expect(completions.allSatisfy { offsets[$0.recordID] == $0.offset })
        #expect(try environment.remainingRows(of: offsets.keys) == 0)
        #expect(try environment.ledger().count == 2 * Self.records)
        let repeated = try environment.repeatedBatches()
        // Log lines are "<time> <level> <label>: …": keep the worker's warnings and errors, not its step output.
        let warnings = worker.output.split(separator: "\n")
            .filter { $0.first?.isNumber == true }
            .filter { ["warning", "error", "critical"].contains($0.split(separator: " ").dropFirst().first ?? "") }
            .suffix(40).joined(separator: "\n")
        #expect(repeated == [], "batches run twice without a crash: \(repeated.prefix(10)); warnings:\n\(warnings)")
        #expect(worker.output.contains("simulated error while processing record"))

        // The progress lines show the bounds held and the backpressure path was taken.
        let progress = Self.progressLines(of: worker.output)
        try #require(!progress.isEmpty)
        let inFlight = progress.compactMap { Self.figure("in flight", in: $0) }
        let buffered = progress.compactMap { Self.figure("buffered", in: $0) }
        #expect(inFlight.count == progress.count && buffered.count == progress.count)
        #expect(inFlight.max()! <= Self.maxInFlight)
        #expect(inFlight.max()! == Self.maxInFlight, "the bound was reached: \(progress.suffix(10))")
        #expect(buffered.max()! <= Self.fetchBuffer + 1)
        #expect(buffered.max()! >= Self.fetchBuffer - 1, "the buffer filled: \(progress.suffix(10))")
        // Kept in memory, the workflows continue where they slept; otherwise every resume replays.
        let resumedInMemory = try #require(progress.last.flatMap { Self.figure("resumed in memory", in: $0) })
        #expect(parkedExecutions > 0 ? resumedInMemory > 0 : resumedInMemory == 0, "\(progress.suffix(3))")
    }

    /// The worker's metrics page.
    static func scrape(port: Int) async throws -> String {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        let (data, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        return "\n" + String(decoding: data, as: UTF8.self)
    }

    /// The highest resident set size the process has had, in MB (`VmHWM` of `/proc/<pid>/status`).
    static func peakResidentMegabytes(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes / 1024
    }

    /// The worker's progress lines so far.
    static func progressLines(of output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("progress: ") }.map(String.init)
    }

    /// The number after `name` in a progress line.
    static func figure(_ name: String, in line: String) -> Int? {
        guard let range = line.range(of: name + " ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}
