// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import KafkaExampleSupport
import ResonateKafka
import ResonateTestSupport
import ResonateTesting
import Testing

/// The durable Kafka worker end to end: a real Kafka-protocol broker (Tansu), a real `resonate serve`, and the
/// example's programs as processes that tests kill with SIGKILL.
@Suite("Durable Kafka worker", .serialized, .timeLimit(.minutes(4)))
struct KafkaWorkerTests {
    @Test("every record is deleted and completed exactly once, despite failing batches")
    func fiftyRecords() async throws {
        let environment = try await KafkaWorkerEnvironment("fifty")
        #expect(environment.setupOutput.contains("Topics created: records_to_be_deleted, records_that_were_deleted"))
        #expect(
            try await environment.run("kafka-setup-topics", ["--brokers", environment.brokers]).contains(
                "Topics already exist."))

        let threeBatches = try await environment.produce(count: 25, rows: 25)
        let oneBatch = try await environment.produce(count: 25, rows: 10)
        let offsets = threeBatches.merging(oneBatch) { first, _ in first }
        #expect(offsets.count == 50)
        #expect(offsets.keys.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })

        // One batch in four fails and is retried.
        let worker = try environment.startWorker("worker", ["--failure-rate", "0.25"])
        try await environment.waitForCompletions(of: Set(offsets.keys))
        worker.terminate()

        let completions = try await environment.allCompletions()
        #expect(completions.count == 50)
        #expect(Set(completions.map(\.recordID)) == Set(offsets.keys))
        for completion in completions {
            #expect(completion.offset == offsets[completion.recordID])
            #expect(completion.key == completion.recordID)
            #expect(completion.idempotencyKey?.hasPrefix(completion.recordID) == true)
        }
        #expect(worker.output.contains("simulated error while processing record"))
        #expect(try environment.remainingRows(of: offsets.keys) == 0)
        // Each batch was deleted once: 25 rows take 3 batches of 10, 10 rows take 1.
        let ledger = try environment.ledger()
        #expect(try environment.repeatedBatches() == [])
        for (id, _) in offsets {
            let batches = ledger.filter { $0.recordID == id }.map(\.batch)
            #expect(batches == (threeBatches[id] != nil ? [1, 2, 3] : [1]))
        }
        #expect(ledger.count == 25 * 3 + 25)
        let results = try await environment.workflowResults(of: offsets.keys)
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0.value == "workflow \($0.key) completed" })
    }

    @Test("a worker killed mid-run resumes every record from its checkpoints after a restart")
    func killAndRestart() async throws {
        let environment = try await KafkaWorkerEnvironment("restart")
        let offsets = try await environment.produce(count: 10, rows: 40)
        // The first worker stops every record inside its second batch: rows deleted, checkpoint not written. Killing
        // it there (rather than after some number of batches, which a fast worker or a slow test can overshoot)
        // leaves each record with one batch checkpointed, one interrupted and two to go.
        let first = try environment.startWorker(
            "first", ["--batch-sleep", "0.5", "--hang-after-batch", "2"] + KafkaWorkerEnvironment.quickFailover)
        try await eventually("every record to hang in its second batch", within: .seconds(120)) {
            first.output.components(separatedBy: "hanging after batch 2 of record").count == offsets.count + 1
        }
        first.kill9()
        let atKill = try environment.ledger()
        #expect(atKill.count == 2 * offsets.count)
        #expect(Set(atKill.map(\.batch)) == [1, 2])

        let second = try environment.startWorker("second", ["--batch-sleep", "0.5"])
        try await environment.waitForCompletions(of: Set(offsets.keys))
        second.terminate()

        let completions = try await environment.allCompletions()
        #expect(Set(completions.map(\.recordID)) == Set(offsets.keys))
        #expect(try environment.remainingRows(of: offsets.keys) == 0)
        // Batch 1 was checkpointed and never ran again; batch 2 was interrupted and ran once more; 3 and 4 ran once.
        try environment.expectOnlyInterruptedBatchesRepeated(ledgerAtKill: atKill)
        let ledger = try environment.ledger()
        for id in offsets.keys {
            #expect(ledger.filter { $0.recordID == id }.map(\.batch).sorted() == [1, 2, 2, 3, 4])
        }
        // The second worker finished the records the first had started, resuming rather than restarting.
        #expect(second.output.contains("processing record"))
        #expect(!second.output.contains("hanging after batch"))
    }

    @Test("the same record requested twice runs one workflow and publishes one completion")
    func duplicateRequest() async throws {
        let environment = try await KafkaWorkerEnvironment("duplicate")
        let id = "0123456789abcdef0123456789abcdef"
        _ = try await environment.produce(ids: [id, id], rows: 30)
        let worker = try environment.startWorker("worker")
        try await environment.waitForCompletions(of: [id])
        // Asked again after it completed: the request attaches to the finished workflow.
        _ = try await environment.produce(ids: [id], rows: 30)
        try await eventually("the third request for \(id) to attach", within: .seconds(120)) {
            worker.output.components(separatedBy: "kicked off workflow for record \(id)").count == 4
        }
        worker.terminate()

        let completions = try await environment.allCompletions()
        #expect(completions.map(\.recordID) == [id])
        #expect(try environment.ledger().map(\.batch) == [1, 2, 3])
        #expect(worker.output.components(separatedBy: "deleting a batch of rows related to record \(id)").count == 4)
    }

    @Test("the worker loads neither Foundation nor its internationalization library and ICU")
    func noFullFoundation() async throws {
        let environment = try await KafkaWorkerEnvironment("foundation")
        let id = "00112233445566778899aabbccddeeff"
        _ = try await environment.produce(ids: [id], rows: 10)
        let worker = try environment.startWorker("worker")
        defer { worker.terminate() }
        try await environment.waitForCompletions(of: [id])
        // Any module importing `Foundation` (not `FoundationEssentials`) loads these: 6.4 MB of resident memory.
        // Read to the end: a /proc file reports no size, and reading by size would stop after the first page.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/\(worker.process.processIdentifier)/maps"))
        defer { try? file.close() }
        let maps = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        #expect(maps.contains("libswiftCore.so"), "the map of a running Swift program")
        for library in ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"] {
            #expect(!maps.contains(library), "the worker loaded \(library)")
        }
    }

    @Test("when one of two workers is killed, the survivor finishes every workflow, the victim's included")
    func survivorFinishes() async throws {
        let environment = try await KafkaWorkerEnvironment("survivor")
        let offsets = try await environment.produce(count: 12, rows: 30)
        // The victim starts alone, so it holds the partition and runs every workflow, and it hangs each one inside
        // its second batch: the kill below finds all twelve half done, however fast or slow this machine is.
        let victim = try environment.startWorker(
            "victim", ["--batch-sleep", "1", "--hang-after-batch", "2"] + KafkaWorkerEnvironment.quickFailover)
        try await eventually("the victim to hang every record in its second batch", within: .seconds(120)) {
            victim.output.components(separatedBy: "hanging after batch 2 of record").count == offsets.count + 1
        }
        let survivor = try environment.startWorker(
            "survivor", ["--batch-sleep", "1"] + KafkaWorkerEnvironment.quickFailover)
        _ = try await survivor.waitForOutput(containing: "processor running")
        victim.kill9()
        let atKill = try environment.ledger()
        #expect(atKill.count == 2 * offsets.count)
        #expect(victim.output.components(separatedBy: "kicked off workflow").count == offsets.count + 1)

        try await environment.waitForCompletions(of: Set(offsets.keys))
        survivor.terminate()
        let completions = try await environment.allCompletions()
        #expect(Set(completions.map(\.recordID)) == Set(offsets.keys))
        for id in offsets.keys {
            #expect(survivor.output.contains("all rows deleted for record \(id)"))
        }
        #expect(try environment.remainingRows(of: offsets.keys) == 0)
        try environment.expectOnlyInterruptedBatchesRepeated(ledgerAtKill: atKill)
    }

    @Test("a record that needs ten batches does not hold up nine quick ones behind it")
    func noHeadOfLineBlocking() async throws {
        let environment = try await KafkaWorkerEnvironment("head-of-line")
        let slow = try await environment.produce(count: 1, rows: 100)
        let quick = try await environment.produce(count: 9, rows: 10)
        #expect(slow.values.first! < quick.values.min()!)
        let worker = try environment.startWorker("worker", ["--batch-sleep", "0.5"])
        try await environment.waitForCompletions(of: Set(slow.keys).union(quick.keys))
        worker.terminate()

        let order = try await environment.allCompletions().map(\.recordID)
        #expect(order.count == 10)
        #expect(Set(order.prefix(9)) == Set(quick.keys))
        #expect(order.last == slow.keys.first)
    }

    @Test("malformed requests are logged, dead-lettered and committed; the good ones around them complete")
    func malformedMessages() async throws {
        let environment = try await KafkaWorkerEnvironment("malformed")
        // Provisioned up front, as a dead-letter topic is: the reader below subscribes to it, and a subscription to
        // a topic that does not exist yet sees it only at the next metadata refresh (minutes). Requests are
        // dispatched concurrently, so the last good record can complete before the first dead letter is sent.
        _ = try await KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: [environment.brokers]))
            .createTopics([KafkaTopic(name: "records_dead_letters", partitions: 1)])
        let worker = try environment.startWorker("worker", ["--dead-letter-topic", "records_dead_letters"])
        let database = try RecordsDatabase(path: environment.database)
        let good = (0..<4).map { "feedface\($0)" + String(repeating: "0", count: 23) }
        try database.createRecords(good.map { (id: $0, rows: 10) })
        let malformed = ["not json", "", "{\"id\":\"x\"}", "[]", "\"bad:id\"", "[1,2]"]
        let values = [
            "\"\(good[0])\"", malformed[0], "[\"\(good[1])\", \"extra\"]", malformed[1], malformed[2], "\"\(good[2])\"",
            malformed[3], malformed[4], malformed[5], "\"\(good[3])\"",
        ]
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(
                client: KafkaClientConfiguration(bootstrapServers: [environment.brokers])
            ),
            logger: KafkaWorkerEnvironment.quietLogger
        )
        try await withThrowingTaskGroup { group in
            group.addTask { try await producer.run() }
            for value in values {
                try await producer.send(
                    KafkaProducerMessage(topic: KafkaExample.requestsTopic, value: Array(value.utf8)))
            }
            group.cancelAll()
            try await group.waitForAll()
        }

        try await environment.waitForCompletions(of: Set(good))
        let deadLetters = try await environment.read("records_dead_letters", timeout: .seconds(60)) {
            $0.count == malformed.count
        }
        #expect(worker.isRunning)
        // Stopped, not just signalled: closing its consumer waits for its last commits to reach the broker, and the
        // member started below must find them (it would otherwise start from an older offset).
        #expect(try await worker.stop() == 0)

        // Keyless, so spread over the dead-letter topic's partitions: compare without order.
        #expect(deadLetters.map(\.valueText).sorted() == malformed.sorted())
        #expect(deadLetters.allSatisfy { message in message.headers.contains { $0.name == "dead-letter-reason" } })
        #expect(
            deadLetters.allSatisfy { message in
                message.headers.contains {
                    $0.name == "dead-letter-origin"
                        && $0.value.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("records_to_be_deleted[0]@")
                            == true
                }
            })
        #expect(worker.output.contains("failed to parse message on records_to_be_deleted"))
        #expect(worker.output.contains("unexpected message shape on records_to_be_deleted: {\"id\":\"x\"}"))
        let completions = try await environment.allCompletions()
        #expect(completions.map(\.recordID).sorted() == good.sorted())
        // Everything was committed: a new member of the group starts after the last request, so the first
        // thing it dispatches is a request published now.
        let next = try environment.startWorker("next")
        let latest = "feedface9" + String(repeating: "0", count: 23)
        _ = try await environment.produce(ids: [latest], rows: 10)
        try await next.waitForOutput(containing: "kicked off workflow for record")
        next.terminate()
        let dispatched = next.output.split(separator: "\n").filter {
            $0.hasPrefix("kicked off workflow") || $0.contains("message on records_to_be_deleted")
                || $0.contains("message shape")
        }
        #expect(dispatched.count == 1)
        #expect(dispatched.first?.hasPrefix("kicked off workflow for record \(latest)") == true)
    }

    @Test("a worker asked to stop after its server died exits once its shutdown timeout has passed")
    func shutdownWithoutServer() async throws {
        let environment = try await KafkaWorkerEnvironment("shutdown")
        _ = try await environment.produce(count: 2, rows: 30)
        let worker = try environment.startWorker("worker", ["--batch-sleep", "5", "--shutdown-timeout", "2"])
        // Sleeping in its workflow, between two batches: its execution can neither finish nor suspend without
        // the server.
        try await eventually("a batch to be deleted", within: .seconds(60)) { try !environment.ledger().isEmpty }
        try #require(environment.server).kill9()
        let asked = ContinuousClock.now
        // stop() sends SIGKILL after 30 s: the worker must have ended by itself long before, and cleanly.
        let status = try await worker.stop(timeout: .seconds(30))
        #expect(status == 0)
        #expect(ContinuousClock.now - asked < .seconds(20))
        // Cancelled, the executions were abandoned: their tasks run again wherever they are next acquired.
        #expect(worker.output.contains("it runs again when its lease expires"))
    }

    @Test("in local mode (no server) the worker also survives kill -9 and finishes every record")
    func localMode() async throws {
        let environment = try await KafkaWorkerEnvironment("local", local: true)
        let offsets = try await environment.produce(count: 8, rows: 30)
        let first = try environment.startWorker("first", ["--batch-sleep", "0.5", "--hang-after-batch", "2"])
        try await eventually("every record to hang in its second batch", within: .seconds(120)) {
            first.output.components(separatedBy: "hanging after batch 2 of record").count == offsets.count + 1
        }
        first.kill9()
        let atKill = try environment.ledger()
        #expect(atKill.count == 2 * offsets.count)
        let second = try environment.startWorker("second", ["--batch-sleep", "0.5"])
        try await environment.waitForCompletions(of: Set(offsets.keys))
        second.terminate()
        let completions = try await environment.allCompletions()
        #expect(Set(completions.map(\.recordID)) == Set(offsets.keys))
        #expect(try environment.remainingRows(of: offsets.keys) == 0)
        try environment.expectOnlyInterruptedBatchesRepeated(ledgerAtKill: atKill)
    }
}
