// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import Synchronization

/// A write transaction's closure waiting in the group-commit queue.
struct PostgresWriteJob: Sendable {
    /// Runs the closure in `transaction` and records its result; rethrows what it throws.
    let run: @Sendable (PostgresTransaction) async throws -> Void
    /// The promises the closure is expected to read, which a batch reads up front.
    let promiseIDs: [String]
    /// Records a failure of the job.
    let fail: @Sendable (any Error) -> Void
    let continuation: CheckedContinuation<JobSignal, Never>
}

/// One group-commit queue; a class, so that the store can hold several.
final class WriteQueue: Sendable {
    let jobs = Mutex(JobQueue<PostgresWriteJob>())
}

// Group commit: concurrent write transactions of this process share database transactions.
//
// Each statement is a round trip, and a transaction of its own adds two more (`BEGIN`, `COMMIT`) and a WAL flush
// per request. Writes queue instead, taking the store's `concurrentBatches` queues in turn. The first caller to
// find its queue with no batch running leads: it takes up to `maximumBatchSize` waiting jobs, runs their closures
// one after another in one transaction, commits once, and wakes the others (the SQLite store's `JobQueue`, with the
// same hand-over to the next leader). A closure sees what the closures before it in the batch wrote, as if each had
// committed in turn; the batch holds each row's lock from the first job that read it until the commit, so other
// transactions still see the jobs happen one after another.
//
// A PostgreSQL transaction cannot go on after a failed statement, and savepoints would cost the two round trips the
// batch saves. So when any job fails (a statement error, a closure that throws, a lost connection, a deadlock), the
// batch rolls back and every job runs again alone, with the usual retries; a job's closure builds all its effects
// inside, as for any retry. Only a `COMMIT` whose outcome is unknown fails the whole batch instead: running the
// jobs again could apply them twice.
//
// A batch first reads and locks every promise its jobs name (`Store.write(promiseIDs:_:)`), and its jobs' promise
// inserts and settlements go out together before the commit (`DeferredWrites`): a batch of creations and
// settlements takes a handful of round trips, not one or two per job.
//
// A closure must not wait for another write of the same store to make progress (only tests do): the two may be in
// one batch, the second behind the first.
extension PostgresStore {
    func groupCommit<Result: Sendable>(
        promiseIDs: [String],
        _ body: @escaping @Sendable (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        try await gate.wait()
        let box = ResultBox<Result>()
        let queue = writeQueues[nextWriteQueue.add(1, ordering: .relaxed).newValue % writeQueues.count]
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<JobSignal, Never>) in
            let job = PostgresWriteJob(
                run: { transaction in box.result = .success(try await body(transaction)) },
                promiseIDs: promiseIDs,
                fail: { error in box.result = .failure(error) },
                continuation: continuation
            )
            if queue.jobs.withLock({ $0.submit(job) }) == .lead {
                continuation.resume(returning: .lead)
            }
        }
        if signal == .lead {
            await leadWriteBatch(queue)
        }
        guard let result = box.result else {
            throw PostgresStoreError(.queryFailed, "internal error: a write job finished without a result")
        }
        return try result.get()
    }

    /// Runs one batch as the leader, then promotes the next leader.
    private func leadWriteBatch(_ queue: WriteQueue) async {
        let batch = queue.jobs.withLock { $0.takeBatch(maximumCount: configuration.maximumBatchSize) }
        await runWriteBatch(batch)
        let next = queue.jobs.withLock { $0.finishBatch() }
        // The leader's own job was resumed with `.lead` already; every other job learns its outcome here.
        for job in batch.dropFirst() {
            job.continuation.resume(returning: .done)
        }
        next?.continuation.resume(returning: .lead)
    }

    private func runWriteBatch(_ batch: [PostgresWriteJob]) async {
        if batch.count > 1 {
            do {
                try await transaction(isWrite: true) { transaction in
                    try await transaction.prefetch(promiseIDs: batch.flatMap(\.promiseIDs))
                    for job in batch { try await job.run(transaction) }
                }
                sharedCommitCount.add(1, ordering: .relaxed)
                return
            } catch let error as CommitFailure where Self.retryReason(error) == nil {
                let failure = Self.storeError(error, context: "a write transaction failed")
                for job in batch { job.fail(failure) }
                return
            } catch {
                // Rolled back: nothing of the batch took effect, and each job runs again alone.
                logger.debug(
                    "a write batch rolled back; its writes run again one by one",
                    metadata: ["writes": "\(batch.count)", "error": "\(Self.describe(error))"])
            }
        }
        for job in batch {
            do {
                try await perform(isWrite: true, job.run)
            } catch {
                job.fail(error)
            }
        }
    }
}
