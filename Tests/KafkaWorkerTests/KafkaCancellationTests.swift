// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import KafkaExampleSupport
import Resonate
import ResonateKafka
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

/// `kafka-producer --cancel ID` end to end: the request travels on `records_to_be_deleted`, the worker cancels the
/// record's workflow, and the workflow's cleanup publishes a canceled completion.
@Suite("Durable Kafka worker: cancellation", .serialized, .timeLimit(.minutes(4)))
struct KafkaCancellationTests {
    @Test("a canceled record stops deleting, and its cleanup publishes one canceled completion")
    func cancelRecord() async throws {
        let environment = try await KafkaWorkerEnvironment("cancel")
        let slow = try await environment.produce(count: 1, rows: 200)
        let quick = try await environment.produce(count: 3, rows: 20)
        let id = try #require(slow.keys.first)
        let worker = try environment.startWorker("worker", ["--batch-sleep", "1"])
        try await eventually("two batches of \(id)", within: .seconds(120)) {
            try environment.ledger().filter { $0.recordID == id }.count >= 2
        }

        let batchesBefore = try environment.ledger().filter { $0.recordID == id }.count
        let produced = try await environment.run("kafka-producer", ["--brokers", environment.brokers, "--cancel", id])
        #expect(produced.contains("Cancellation of record \(id) produced to"), "\(produced)")
        try await environment.waitForCompletions(of: Set(quick.keys).union([id]))
        try await eventually("the cancellation of \(id) to be published", within: .seconds(120)) {
            worker.output.contains("cancellation of record \(id) published")
        }
        worker.terminate()

        let completions = try await environment.allCompletions()
        #expect(completions.filter { $0.recordID == id }.map(\.canceled) == [true])
        #expect(completions.filter { $0.recordID == id }.map(\.offset) == [slow[id]])
        #expect(Set(completions.filter { !$0.canceled }.map(\.recordID)) == Set(quick.keys))
        #expect(worker.output.contains("canceled workflow for record \(id)"))
        // Deletion stopped where it was: at most the batch running at the cancellation finished; rows are left.
        let batchesAfter = try environment.ledger().filter { $0.recordID == id }.count
        #expect(batchesAfter <= batchesBefore + 1)
        #expect(batchesAfter < 20)
        #expect(try environment.remainingRows(of: [id]) > 0)
        #expect(try environment.remainingRows(of: quick.keys) == 0)
        try await expectCanceled(id, in: environment)
    }

    @Test("a cancellation that arrives after the worker running the record was killed completes on the survivor")
    func cancelAfterFailover() async throws {
        let environment = try await KafkaWorkerEnvironment("cancel-failover")
        let slow = try await environment.produce(count: 1, rows: 300)
        let id = try #require(slow.keys.first)
        let one = try environment.startWorker("one", ["--batch-sleep", "1"] + KafkaWorkerEnvironment.quickFailover)
        let two = try environment.startWorker("two", ["--batch-sleep", "1"] + KafkaWorkerEnvironment.quickFailover)
        try await eventually("a worker to start \(id)", within: .seconds(120)) {
            [one, two].contains { $0.output.contains("kicked off workflow for record \(id)") }
        }
        let (victim, survivor) = one.output.contains("kicked off workflow for record \(id)") ? (one, two) : (two, one)
        try await eventually("two batches in the ledger", within: .seconds(120)) { try environment.ledger().count >= 2 }
        victim.kill9()
        let batchesAtKill = try environment.ledger().count

        _ = try await environment.run("kafka-producer", ["--brokers", environment.brokers, "--cancel", id])
        try await environment.waitForCompletions(of: [id])
        try await eventually("the survivor to cancel \(id)", within: .seconds(120)) {
            survivor.output.contains("canceled workflow for record \(id)")
        }
        survivor.terminate()

        let completions = try await environment.allCompletions()
        #expect(completions.map(\.recordID) == [id])
        #expect(completions.map(\.canceled) == [true])
        #expect(survivor.output.contains("cancellation of record \(id) published"))
        // The survivor may have resumed the workflow for a batch or two before the cancellation reached it.
        #expect(try environment.ledger().count < 30)
        #expect(try environment.ledger().count >= batchesAtKill)
        try await expectCanceled(id, in: environment)
    }

    /// The workflow's promise is canceled, and its cleanup execution finished.
    private func expectCanceled(_ id: String, in environment: KafkaWorkerEnvironment) async throws {
        let server = try #require(environment.server)
        let observer = Resonate(url: server.url, group: "test-observer")
        #expect(try await observer.promises.get(id).state == .rejectedCanceled)
        #expect(try await observer.promises.get("\(id):cleanup").state == .resolved)
    }
}
