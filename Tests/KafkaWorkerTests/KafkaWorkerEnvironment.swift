// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import KafkaExampleSupport
import Logging
import Resonate
import ResonateKafka
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

/// A Tansu broker, optionally a `resonate serve`, and the example's programs, all real processes in a temporary
/// directory that goes away with the environment.
final class KafkaWorkerEnvironment: Sendable {
    let directory: String
    let broker: ChildProcess
    let brokers: String
    let server: ServerProcess?
    var database: String { directory + "/records.db" }
    var ledgerPath: String { directory + "/ledger.txt" }

    /// Starts the broker (and the server, unless `local`) and creates the topics.
    init(_ name: String, local: Bool = false) async throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("kafka-\(name)-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try LocalPorts.free()
        brokers = "127.0.0.1:\(port)"
        broker = try ChildProcess(
            executable: Self.tansu,
            arguments: [
                "broker", "--listener-url", "tcp://\(brokers)", "--advertised-listener-url", "tcp://\(brokers)",
            ],
            logPath: directory + "/tansu.log"
        )
        try await broker.waitForOutput(containing: "ready in", timeout: .seconds(30))
        server =
            local
            ? nil
            : try await ServerProcess(
                arguments: ["serve", "--store", "sqlite:\(directory)/resonate.db"],
                logPath: directory + "/server.log"
            )
        setupOutput = try await Self.run("kafka-setup-topics", ["--brokers", brokers], in: directory)
    }

    /// What `kafka-setup-topics` printed when the environment started.
    let setupOutput: String

    deinit {
        // Tansu keeps its data in memory and does not stop on SIGTERM.
        broker.kill9()
        server?.terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The Tansu binary: `TANSU_BIN`, else the one `scripts/setup-kafka.sh` installs.
    static var tansu: String {
        if let path = ProcessInfo.processInfo.environment["TANSU_BIN"] { return path }
        return URL(fileURLWithPath: ChildProcess.binaryDirectory).deletingLastPathComponent()
            .appendingPathComponent("kafka-tools/tansu").path
    }

    // MARK: Programs

    /// Runs an example program to its end; returns its output, failing the test if it exits non-zero.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], in directory: String) async throws -> String {
        let child = try ChildProcess(
            executable: ChildProcess.executable(program),
            arguments: arguments,
            logPath: directory + "/\(program)-\(UUID().uuidString).log"
        )
        let status = try await child.waitForExit(timeout: .seconds(60))
        try #require(status == 0, "\(program) failed:\n\(child.output)")
        return child.output
    }

    @discardableResult
    func run(_ program: String, _ arguments: [String]) async throws -> String {
        try await Self.run(program, arguments, in: directory)
    }

    /// Creates `count` records with `rows` rows each and publishes their deletion requests; returns the ids with
    /// the offsets of their requests.
    func produce(count: Int, rows: Int) async throws -> [String: Int64] {
        try Self.produced(
            try await run(
                "kafka-producer", ["--brokers", brokers, "--database", database, "-n", "\(count)", "--rows", "\(rows)"])
        )
    }

    /// Publishes deletion requests for these ids (creating the records that do not exist, with `rows` rows).
    func produce(ids: [String], rows: Int) async throws -> [String: Int64] {
        try Self.produced(
            try await run(
                "kafka-producer",
                ["--brokers", brokers, "--database", database, "--rows", "\(rows)"]
                    + ids.flatMap { ["--record-id", $0] }
            )
        )
    }

    private static func produced(_ output: String) throws -> [String: Int64] {
        var offsets: [String: Int64] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("Record ") {
            let words = line.split(separator: " ")
            offsets[String(words[1])] = Int64(words.last!)!
        }
        return offsets
    }

    /// Worker arguments for tests that kill a worker: its workflows move to another 2 s after it dies, not 10 s.
    static let quickFailover = ["--ttl", "2"]

    /// Starts a worker with quick settings for tests; `arguments` override or add to them.
    ///
    /// Its lease is the worker's default, 10 s: a run that kills no worker asserts that no batch runs twice,
    /// which holds only while the worker keeps its leases, and a CI machine running every suite at once on two
    /// cores once starved a worker with 2 s leases past them (ten batches ran twice). Tests that kill a worker
    /// add ``quickFailover``.
    func startWorker(_ name: String, _ arguments: [String] = []) throws -> ChildProcess {
        var base = [
            "--brokers", brokers, "--database", database, "--ledger", ledgerPath, "--batch-sleep", "0.2",
            "--failure-rate", "0", "--retry-delay", "0.1", "--ttl", "10", "--session-timeout", "6",
            // A worker left running when its test ends (its server and broker stopped) exits by itself soon.
            "--shutdown-timeout", "10",
        ]
        if let server {
            base += ["--resonate-url", server.url]
        } else {
            base += ["--store", directory + "/worker.resonate.db"]
        }
        return try ChildProcess(
            executable: ChildProcess.executable("kafka-worker"),
            arguments: base + arguments,
            logPath: directory + "/\(name)-\(UUID().uuidString).log"
        )
    }

    // MARK: Observations

    /// A message of `records_that_were_deleted`.
    struct Completion: Hashable {
        var recordID: String
        var offset: Int64
        var key: String?
        var idempotencyKey: String?
        /// The deletion was canceled: `[recordId, offset, "canceled"]`.
        var canceled = false
    }

    /// Waits until every id in `ids` has a completion message.
    func waitForCompletions(of ids: Set<String>, timeout: Duration = .seconds(120)) async throws {
        // Each message is looked at once, as it arrives: thousands of completions stay cheap to wait for.
        let missing = Mutex(ids)
        _ = try await read(KafkaExample.completionsTopic, timeout: timeout) { messages in
            missing.withLock { missing in
                if let last = messages.last, let completion = try? Self.completion(last) {
                    missing.remove(completion.recordID)
                }
                return missing.isEmpty
            }
        }
    }

    /// Every completion message so far. Call it once no worker runs: a sentinel message is appended and the topic
    /// read up to it, so the answer is exact.
    func allCompletions() async throws -> [Completion] {
        try await messagesUpToSentinel(KafkaExample.completionsTopic).map { try Self.completion($0) }
    }

    /// Every message of `topic` so far, read up to a sentinel appended now.
    func messagesUpToSentinel(_ topic: String) async throws -> [KafkaMessage] {
        let sentinel = "sentinel-\(UUID().uuidString)"
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: [brokers])),
            logger: Self.quietLogger
        )
        try await withThrowingTaskGroup { group in
            group.addTask { try await producer.run() }
            try await producer.send(KafkaProducerMessage(topic: topic, key: sentinel, value: sentinel))
            group.cancelAll()
            try await group.waitForAll()
        }
        let messages = try await read(topic, timeout: .seconds(60)) { $0.last?.keyText == sentinel }
        return Array(messages.dropLast())
    }

    /// Reads `topic` from the beginning, as a new consumer group, until `isEnough` holds.
    func read(
        _ topic: String,
        timeout: Duration,
        until isEnough: @escaping @Sendable ([KafkaMessage]) -> Bool
    ) async throws -> [KafkaMessage] {
        var configuration = KafkaConsumerConfiguration(
            client: KafkaClientConfiguration(bootstrapServers: [brokers]),
            groupID: "test-reader-\(UUID().uuidString)",
            topics: [topic]
        )
        configuration.sessionTimeout = .seconds(6)
        let consumer = try KafkaConsumer(configuration: configuration, logger: Self.quietLogger)
        return try await withThrowingTaskGroup(of: [KafkaMessage]?.self) { group in
            group.addTask {
                try await consumer.run()
                return nil
            }
            group.addTask {
                var messages: [KafkaMessage] = []
                for await message in consumer.messages {
                    messages.append(message)
                    if isEnough(messages) { return messages }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ChildProcessError(description: "\(topic) did not have the expected messages within \(timeout)")
            }
            while let result = try await group.next() {
                if let messages = result {
                    group.cancelAll()
                    return messages
                }
            }
            throw ChildProcessError(description: "the reader of \(topic) stopped")
        }
    }

    static func completion(_ message: KafkaMessage) throws -> Completion {
        let array = try #require(
            try JSONSerialization.jsonObject(with: Data(message.value)) as? [Any],
            "not a JSON array: \(message.valueText)"
        )
        let recordID = try #require(array.first as? String)
        try #require(array.count == 2 || (array.count == 3 && array[2] as? String == "canceled"))
        let offset = try #require(array[1] as? Int)
        return Completion(
            recordID: recordID,
            offset: Int64(offset),
            key: message.keyText,
            idempotencyKey: message.headers.first { $0.name == "idempotency-key" }?.value.map {
                String(decoding: $0, as: UTF8.self)
            },
            canceled: array.count == 3
        )
    }

    /// The ledger's lines: `(recordID, batchNumber)` in the order the batches completed.
    func ledger() throws -> [(recordID: String, batch: Int)] {
        guard FileManager.default.fileExists(atPath: ledgerPath) else { return [] }
        return try String(contentsOfFile: ledgerPath, encoding: .utf8).split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), try #require(Int(parts[1])))
        }
    }

    /// Ledger entries that appear more than once: batches whose deletion ran twice.
    func repeatedBatches() throws -> [String] {
        var counts: [String: Int] = [:]
        for entry in try ledger() { counts["\(entry.recordID) \(entry.batch)", default: 0] += 1 }
        return counts.filter { $0.value > 1 }.map(\.key).sorted()
    }

    /// Expects that every batch deleted twice is one a kill interrupted: its record had recorded no later batch
    /// when the worker was killed. (A later batch starts only after the earlier one's checkpoint, so a batch followed
    /// by another before the kill was checkpointed and must never run again; the last one of each record may have
    /// done its work without its checkpoint, and then runs again once.)
    func expectOnlyInterruptedBatchesRepeated(
        ledgerAtKill: [(recordID: String, batch: Int)], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let lastAtKill = Dictionary(ledgerAtKill.map { ($0.recordID, $0.batch) }, uniquingKeysWith: max)
        var counts: [String: Int] = [:]
        for entry in try ledger() { counts["\(entry.recordID) \(entry.batch)", default: 0] += 1 }
        for (entry, count) in counts where count > 1 {
            let parts = entry.split(separator: " ")
            let (recordID, batch) = (String(parts[0]), Int(parts[1])!)
            #expect(count == 2, "batch \(entry) ran \(count) times", sourceLocation: sourceLocation)
            #expect(
                lastAtKill[recordID] == batch, "batch \(entry) had been checkpointed before the kill and ran again",
                sourceLocation: sourceLocation)
        }
    }

    /// Rows left in the records database for `ids`.
    func remainingRows(of ids: some Sequence<String>) throws -> Int {
        let database = try RecordsDatabase(path: database)
        return try ids.reduce(0) { $0 + (try database.remainingRows(of: $1)) }
    }

    /// The root promises' results from the server (remote mode).
    func workflowResults(of ids: some Sequence<String>) async throws -> [String: String] {
        let server = try #require(server)
        let resonate = Resonate(url: server.url, group: "test-observer")
        var results: [String: String] = [:]
        for id in ids {
            let record = try await resonate.promises.get(id)
            if record.state == .resolved { results[id] = try resonate.promises.value(of: record, as: String.self) }
        }
        return results
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "kafka-test")
        logger.logLevel = .error
        return logger
    }()
}
