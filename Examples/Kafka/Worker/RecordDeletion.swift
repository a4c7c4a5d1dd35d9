// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ExampleSupport
import KafkaExampleSupport
import Resonate
import ResonateKafka

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The durable functions of the worker: `workflow` deletes a record's rows batch by batch, sleeping between
/// batches, and then publishes the record's completion.
struct RecordDeletion {
    var database: RecordsDatabase
    var completions: KafkaProducer
    var batchSize: Int
    var batchSleep: Duration
    var failureRate: Double
    var retryDelay: Duration
    var ledger: String?
    /// After deleting this batch of a record the step hangs until the process ends (`--hang-after-batch`).
    var hangAfterBatch: Int?
    /// Where the database and the ledger are written.
    let disk = BlockingQueue(label: "kafka-worker.records")

    /// Registers `deleteBatch`, `enqueueCompletion` and `workflow`; returns the workflow.
    func register(with resonate: Resonate) throws -> DurableFunction<String, Int64, String> {
        // Leaf steps retry on failure: after retryDelay, doubling, at most 30 s apart.
        let retry = RetryPolicy.exponential(delay: retryDelay, maxDelay: .seconds(30))
        let deleteBatch = try resonate.register("deleteBatch", retry: retry) {
            (ctx: Context, recordID: String, batch: Int) async throws -> Bool in
            try await self.deleteBatch(recordID, batch: batch)
        }
        let enqueueCompletion = try resonate.register("enqueueCompletion", retry: retry) {
            (ctx: Context, recordID: String, offset: Int64) async throws in
            try await self.enqueueCompletion(recordID, offset: offset, canceled: false, idempotencyKey: ctx.info.id)
        }
        let enqueueCancellation = try resonate.register("enqueueCancellation", retry: retry) {
            (ctx: Context, recordID: String, offset: Int64) async throws in
            try await self.enqueueCompletion(recordID, offset: offset, canceled: true, idempotencyKey: ctx.info.id)
        }
        return try resonate.register("workflow") {
            (ctx: Context, recordID: String, offset: Int64) async throws -> String in
            // After each sleep the workflow replays from the top: from the records in memory when this worker held
            // the sleep (it leaves memory while it sleeps), from the server's checkpoints on another worker after a
            // crash. The finished steps' results come from their checkpoints, so this line (and the "still has
            // rows" ones) print again while the steps do not run.
            Output.line("processing record \(recordID) in position \(offset)")
            var batch = 1
            do {
                while try await ctx.run(deleteBatch, recordID, batch) {
                    Output.line("record \(recordID) still has rows to delete")
                    try await ctx.sleep(for: batchSleep)
                    batch += 1
                }
            } catch is CancellationError {
                // Canceled (`kafka-producer --cancel`): the deleted batches stay deleted; say so downstream, once.
                Output.line("deletion of record \(recordID) canceled")
                try await ctx.nonCancellable { try await ctx.run(enqueueCancellation, recordID, offset) }
                throw CancellationError()
            }
            Output.line("all rows deleted for record \(recordID) in position \(offset)")
            try await ctx.run(enqueueCompletion, recordID, offset)
            return "workflow \(recordID) completed"
        }
    }

    /// Deletes batch number `batch` of the record's rows (those numbered below `batch × batchSize`, so running it
    /// twice deletes nothing more); `true` while rows remain. Fails at random, before touching anything, with
    /// probability `failureRate`, to show retries.
    private func deleteBatch(_ recordID: String, batch: Int) async throws -> Bool {
        Output.line("deleting a batch of rows related to record \(recordID)")
        if Double.random(in: 0..<1) < failureRate {
            Output.line("simulated error while processing record \(recordID)")
            throw SimulatedError(message: "simulated error while processing record \(recordID)")
        }
        let (database, ledger, below) = (self.database, self.ledger, batch * batchSize)
        // The deletion commits with an fsync, as does the ledger's line: off the cooperative threads.
        let remaining = try await disk.run {
            let (_, remaining) = try database.deleteRows(of: recordID, below: below)
            if let ledger { try Ledger.append("\(recordID) \(batch)", to: ledger) }
            return remaining
        }
        if batch == hangAfterBatch {
            // A stuck process: the rows are gone, the checkpoint never comes. Only a shutdown (cancellation) ends it.
            Output.line("hanging after batch \(batch) of record \(recordID) (--hang-after-batch)")
            try await Task.sleep(for: .seconds(1_000_000_000))
        }
        return remaining
    }

    /// Publishes `[recordID, offset]` (with `"canceled"` after them when the deletion was canceled) to
    /// `records_that_were_deleted`, keyed by the record id.
    ///
    /// The producer is idempotent, so its own retries never write a message twice. A crash after the broker's
    /// acknowledgement but before this step's checkpoint runs the step again and publishes a second, identical
    /// message (same key, same value, same `idempotency-key` header): consumers deduplicate by key.
    private func enqueueCompletion(
        _ recordID: String, offset: Int64, canceled: Bool, idempotencyKey: String
    ) async throws {
        let fields = [JSONScalar.text(recordID), .number(offset)] + (canceled ? [.text("canceled")] : [])
        let value = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        let report = try await completions.send(
            KafkaProducerMessage(
                topic: KafkaExample.completionsTopic,
                key: recordID,
                value: value,
                headers: [KafkaHeader(name: "idempotency-key", value: Array(idempotencyKey.utf8))]
            )
        )
        Output.line(
            "\(canceled ? "cancellation" : "completion") of record \(recordID) published to \(report.topic) [\(report.partition)] at offset \(report.offset)"
        )
    }
}

/// The error `deleteBatch` throws on purpose.
struct SimulatedError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A string or an integer, to write the mixed array `["<id>", 7]`.
enum JSONScalar: Encodable {
    case text(String)
    case number(Int64)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        }
    }
}
