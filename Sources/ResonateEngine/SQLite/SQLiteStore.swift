// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CSQLite
import Metrics
import ResonateProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`.
///
/// Every acknowledged write is on disk: `write(_:)` returns only after a commit whose WAL frames were fsynced.
/// Throughput comes from **group commit**: jobs that arrive while a commit is in flight run together in the next
/// transaction, each inside its own savepoint (a failing job rolls back alone), and share one fsync.
///
/// Reads of committed data run on a second connection (WAL readers never block the writer); an in-memory store
/// has a single connection that serves both.
///
/// A lock file next to the database keeps a second server from opening the same database.
public final class SQLiteStore: Store {
    /// Where the database lives.
    public enum Location: Sendable, Hashable, CustomStringConvertible {
        /// A database file (created if missing).
        case file(String)
        /// A private in-memory database that disappears with the store.
        case memory

        public var description: String {
            switch self {
            case .file(let path): "sqlite:\(path)"
            case .memory: "sqlite::memory:"
            }
        }
    }

    public struct Configuration: Sendable {
        public var location: Location
        /// The most jobs that share one transaction.
        public var maximumBatchSize: Int
        /// The most bytes of rendered promise JSON kept for preloads between requests (0: none). Official SDKs get
        /// a branch's whole preload with every `task.fence`; with this budget, a branch read once stays in memory,
        /// kept current by the writer, so a long execution's answers copy its earlier steps instead of reading,
        /// decoding and encoding them again (see ``BranchIndex``).
        public var preloadCacheBytes: Int
        /// The writer connection's page cache, in KiB (SQLite's default is 2,048).
        public var pageCacheKiB: Int

        public init(
            location: Location, maximumBatchSize: Int = 512, preloadCacheBytes: Int = 32 << 20,
            pageCacheKiB: Int = 32_768
        ) {
            self.location = location
            self.maximumBatchSize = maximumBatchSize
            self.preloadCacheBytes = preloadCacheBytes
            self.pageCacheKiB = max(pageCacheKiB, 64)
        }
    }

    private typealias WriteJob = StoreJob<SQLiteTransaction>

    public let configuration: Configuration
    private let writerExecutor: ThreadExecutor
    private let writer: SQLiteConnection
    private let readerExecutor: ThreadExecutor?
    private let reader: SQLiteConnection?
    private let sequence: OutboxSequence
    /// The writer's mirror of recently read branches, for preloads; `nil` when the budget is 0.
    private let branchIndex: BranchIndex?
    private let writes = Mutex(JobQueue<WriteJob>())
    private let reads = Mutex(JobQueue<WriteJob>())
    private let lock: FileLock?
    private let batches = Atomic<Int>(0)
    private let batchSizes = Recorder(label: "resonate_commit_batch_size")
    private let commitDuration = Metrics.Timer(label: "resonate_commit_duration_seconds")

    /// Opens the database, creating and migrating it as needed.
    ///
    /// - Throws: ``SQLiteError`` when the file cannot be opened, is locked by another server, or has a schema
    ///   newer than this build.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        switch configuration.location {
        case .memory:
            lock = nil
            writer = try SQLiteConnection(path: ":memory:")
        case .file(let path):
            lock = try FileLock(path: path + ".lock")
            writer = try SQLiteConnection(path: path)
            try writer.execute("PRAGMA journal_mode = WAL")
        }
        // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
        try writer.execute("PRAGMA synchronous = FULL")
        try writer.execute("PRAGMA foreign_keys = OFF")
        try writer.execute("PRAGMA busy_timeout = 5000")
        // The writer touches the same hot pages (indexes, the outbox, recent promises) at every commit; SQLite's
        // default 2 MiB page cache let them fall out and be read again with a syscall each (pread was ~5% of the
        // server's CPU under the Kafka worker's load). Negative: KiB.
        try writer.execute("PRAGMA cache_size = -\(configuration.pageCacheKiB)")
        // Each job of a group commit runs under a savepoint, so SQLite keeps the original of every page a job
        // changes in a sub-journal, by default a temporary file: under the Kafka worker's load it took 5,000
        // pwrite calls and 11 MB a second, more than the WAL itself. The sub-journal only serves rolling back to
        // a savepoint inside the open transaction; a crash is recovered from the WAL. In memory it costs nothing
        // in durability.
        try writer.execute("PRAGMA temp_store = MEMORY")
        // A checkpoint copies the WAL's pages into the database file and fsyncs it, on the writer, inside the commit
        // that triggers it: every commit behind it waits. At SQLite's default (every 1,000 pages, 4 MB) the Kafka
        // worker's load checkpointed twice a second, rewriting the same hot pages each time; every 10,000 pages
        // (a WAL of up to 40 MB) the worker ran 8% more records/s (338 -> 368) for 3% less server CPU. The WAL is
        // read at start-up only to recover, which its size barely changes.
        try writer.execute("PRAGMA wal_autocheckpoint = 10000")
        try SQLiteSchema.migrate(writer)
        let lastSequence = try writer.scalarInteger(
            "SELECT max(seq) FROM (SELECT max(seq) AS seq FROM outgoing_execute UNION ALL SELECT max(seq) FROM outgoing_unblock)"
        )
        sequence = OutboxSequence(last: lastSequence ?? 0)
        branchIndex =
            configuration.preloadCacheBytes > 0 ? BranchIndex(byteBudget: configuration.preloadCacheBytes) : nil
        writerExecutor = ThreadExecutor(name: "resonate-sqlite-writer")
        if case .file(let path) = configuration.location {
            let readConnection = try SQLiteConnection(path: path, readOnly: true)
            try readConnection.execute("PRAGMA busy_timeout = 5000")
            reader = readConnection
            readerExecutor = ThreadExecutor(name: "resonate-sqlite-reader")
        } else {
            reader = nil
            readerExecutor = nil
        }
    }

    /// Opens a store at `location` with default settings.
    public convenience init(location: Location) throws {
        try self.init(configuration: Configuration(location: location))
    }

    deinit {
        writerExecutor.shutdown()
        readerExecutor?.shutdown()
    }

    /// The number of write transactions committed (or attempted) so far; each may carry many writes.
    public var committedBatches: Int { batches.load(ordering: .relaxed) }

    public func write<Result: Sendable>(
        _ body: @escaping @Sendable (SQLiteTransaction) async throws -> Result
    ) async throws -> Result {
        try await submit(body, to: writes, isWrite: true)
    }

    public func read<Result: Sendable>(
        _ body: @escaping @Sendable (SQLiteTransaction) async throws -> Result
    ) async throws -> Result {
        guard reader != nil else { return try await submit(body, to: writes, isWrite: true) }
        return try await submit(body, to: reads, isWrite: false)
    }

    public func isReady() async -> Bool {
        (try? await read { transaction in try transaction.connection.scalarInteger("SELECT 1") }) == 1
    }

    private func submit<Result: Sendable>(
        _ body: @escaping @Sendable (SQLiteTransaction) async throws -> Result,
        to queue: borrowing Mutex<JobQueue<WriteJob>>,
        isWrite: Bool
    ) async throws -> Result {
        let box = ResultBox<Result>()
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<JobSignal, Never>) in
            let job = WriteJob(
                run: { transaction in
                    do {
                        box.result = .success(try await body(transaction))
                        return true
                    } catch {
                        box.result = .failure(error)
                        return false
                    }
                },
                fail: { error in box.result = .failure(error) },
                continuation: continuation
            )
            if queue.withLock({ $0.submit(job) }) == .lead {
                continuation.resume(returning: .lead)
            }
        }
        if signal == .lead {
            await lead(queue, isWrite: isWrite)
        }
        guard let result = box.result else {
            throw SQLiteError(code: 0, message: "internal error: a store job finished without a result")
        }
        return try result.get()
    }

    /// Runs one batch as the leader, then promotes the next leader.
    private func lead(_ queue: borrowing Mutex<JobQueue<WriteJob>>, isWrite: Bool) async {
        let batch = queue.withLock { $0.takeBatch(maximumCount: configuration.maximumBatchSize) }
        let connection = isWrite ? writer : reader!
        let executor = isWrite ? writerExecutor : readerExecutor!
        let transaction = SQLiteTransaction(
            connection: connection, sequence: sequence, branchIndex: isWrite ? branchIndex : nil)
        let started = ContinuousClock.now
        await withTaskExecutorPreference(executor) {
            await Self.runBatch(batch, on: transaction, isWrite: isWrite)
        }
        if isWrite {
            batches.add(1, ordering: .relaxed)
            batchSizes.record(batch.count)
            commitDuration.recordNanoseconds((ContinuousClock.now - started).wholeNanoseconds)
        }
        let next = queue.withLock { $0.finishBatch() }
        // The leader's own job was resumed with `.lead` already; every other job learns its outcome here.
        for job in batch.dropFirst() {
            job.continuation.resume(returning: .done)
        }
        next?.continuation.resume(returning: .lead)
    }

    private static func runBatch(_ batch: [WriteJob], on transaction: SQLiteTransaction, isWrite: Bool) async {
        let connection = transaction.connection
        do {
            try connection.execute(isWrite ? "BEGIN IMMEDIATE" : "BEGIN")
        } catch {
            for job in batch { job.fail(error) }
            return
        }
        let useSavepoints = isWrite && batch.count > 1
        var anyFailedWithoutSavepoint = false
        for job in batch {
            do {
                if useSavepoints { try connection.execute("SAVEPOINT job") }
                let changesBefore = transaction.branchIndex?.changeCount ?? 0
                let succeeded = await job.run(transaction)
                if !succeeded { transaction.branchIndex?.rollBack(to: changesBefore) }
                if useSavepoints {
                    if !succeeded { try connection.execute("ROLLBACK TO job") }
                    try connection.execute("RELEASE job")
                } else if !succeeded {
                    anyFailedWithoutSavepoint = true
                }
            } catch {
                // The savepoint machinery itself failed: the transaction cannot be trusted.
                connection.resetStatements()
                try? connection.execute("ROLLBACK")
                transaction.branchIndex?.rollBack(to: 0)
                for job in batch { job.fail(error) }
                return
            }
        }
        connection.resetStatements()
        do {
            if anyFailedWithoutSavepoint {
                try connection.execute("ROLLBACK")
                transaction.branchIndex?.rollBack(to: 0)
            } else {
                try connection.execute("COMMIT")
                transaction.branchIndex?.commit()
            }
        } catch {
            try? connection.execute("ROLLBACK")
            transaction.branchIndex?.rollBack(to: 0)
            for job in batch { job.fail(error) }
        }
    }
}

/// How a waiting job's caller is woken.
package enum JobSignal: Sendable {
    /// Become the leader and run a batch that includes the caller's own job.
    case lead
    /// The job ran and its outcome is in its result box.
    case done
}

/// A unit of work queued for a store connection.
struct StoreJob<Transaction>: Sendable {
    /// Runs the job's body; `false` if it threw (its changes must be rolled back).
    let run: @Sendable (Transaction) async -> Bool
    /// Records a failure that happened around the job (begin or commit).
    let fail: @Sendable (any Error) -> Void
    let continuation: CheckedContinuation<JobSignal, Never>
}

/// Carries a job's result from the executor that ran it back to the task that submitted it.
///
/// `@unchecked Sendable`: written by the job before its caller is resumed (twice when a PostgreSQL batch rolls
/// back and the job runs again alone, both times by the leader), read only after; the continuation resume orders
/// the writes and the read.
package final class ResultBox<Value>: @unchecked Sendable {
    package var result: Result<Value, any Error>?

    package init() {}
}
