// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import KafkaExampleSupport
import Logging
import Resonate
import ResonateKafka
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The durable Kafka worker: consumes `records_to_be_deleted`, runs one durable workflow per record, and
/// publishes each completion to `records_that_were_deleted`.
@main
struct KafkaWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-worker",
        abstract: "Deletes records durably: one workflow per request on \(KafkaExample.requestsTopic)."
    )

    @OptionGroup var brokers: BrokerOptions

    @Option(help: "The Resonate server; without one the engine runs in this process. [env: RESONATE_URL]")
    var resonateURL: String?

    @Option(help: "Local mode only: the file that holds the workflows' state.")
    var store = "kafka-worker.resonate.db"

    @Option(help: "Seconds of durable sleep between two batches of a record.")
    var batchSleep = 5.0

    @Option(help: "The probability that a batch fails (and is retried).")
    var failureRate = 0.25

    @Option(help: "Rows deleted per batch.")
    var batchSize = 10

    @Option(help: "The records database, shared with the producer.")
    var database = KafkaExample.defaultDatabase

    @Option(help: "Append '<recordId> <batchNumber>' (fsynced) per completed batch to this file, for tests.")
    var ledger: String?

    @Option(
        help: ArgumentHelp(
            "Simulate a stuck worker: once batch number <n> of a record is deleted, its step never returns (its "
                + "checkpoint is never written). Kill the worker and start another to see the records resume."
        )
    )
    var hangAfterBatch: Int?

    @Option(help: "Send malformed requests to this topic (they are logged and committed either way).")
    var deadLetterTopic: String?

    @Option(help: "Seconds before a failed step is retried (doubling, up to 30 s).")
    var retryDelay = 2.0

    @Option(help: "Resonate lease length in seconds: a crashed worker's workflows move to another after it.")
    var ttl = 10.0

    @Option(help: "Kafka session timeout in seconds: a crashed worker's partitions move to another after it.")
    var sessionTimeout = 10.0

    @Option(help: "This worker's process id in the Resonate group (default: random).")
    var pid: String?

    @Option(
        help: ArgumentHelp(
            "Workflows this worker has started and not yet seen finish, at most; at the bound it takes no more "
                + "requests and fetching pauses."
        )
    )
    var maxInFlight = 512

    @Option(help: "Requests dispatched (their workflows' promises created) at once, at most.")
    var dispatchConcurrency = 32

    @Option(help: "Requests fetched ahead of dispatch, at most; fetching pauses when this many wait.")
    var fetchBuffer = 256

    @Option(
        help: ArgumentHelp(
            "Tasks this worker executes at once (the SDK's maxConcurrentTasks); a workflow holding a sleep takes "
                + "none, so this bounds the workflows at work between sleeps, and the memory their calls need."
        )
    )
    var concurrentTasks = 64

    @Option(
        help: ArgumentHelp(
            "Seconds: durable sleeps this short wait in the worker, holding their lease, instead of suspending; "
                + "the workflow leaves memory meanwhile and replays from its records (0: every sleep suspends)."
        )
    )
    var holdSleepsUnder = 1.0

    @Option(help: "Suspended workflows kept in memory, continued in place when they resume here (0: replay).")
    var parkedExecutions = 4_096

    @Option(
        help: ArgumentHelp(
            "Seconds a graceful shutdown (SIGTERM, SIGINT) may take; then the work still running is cancelled "
                + "(its tasks resume on another worker once their leases lapse)."
        )
    )
    var shutdownTimeout = 30.0

    @Option(
        help: ArgumentHelp(
            "glibc malloc arenas, at most (0: glibc's default, eight per core). Fewer arenas keep memory freed on "
                + "one thread usable by the others."
        )
    )
    var mallocArenas = 2

    @Option(help: "Seconds between two progress lines on the console (0: none).")
    var progressInterval = 5.0

    @Option(help: "Serve Prometheus metrics at http://127.0.0.1:<port>/metrics (default: none).")
    var metricsPort: Int?

    func validate() throws {
        guard (0...1).contains(failureRate) else { throw ValidationError("`--failure-rate` must be within 0…1") }
        guard batchSleep >= 0 else { throw ValidationError("`--batch-sleep` must not be negative") }
        guard batchSize > 0 else { throw ValidationError("`--batch-size` must be positive") }
        if let hangAfterBatch, hangAfterBatch < 1 { throw ValidationError("`--hang-after-batch` must be positive") }
        guard ttl >= 1 else { throw ValidationError("`--ttl` must be at least 1 second") }
        guard retryDelay > 0 else { throw ValidationError("`--retry-delay` must be positive") }
        guard sessionTimeout >= 1 else { throw ValidationError("`--session-timeout` must be at least 1 second") }
        guard maxInFlight > 0 else { throw ValidationError("`--max-in-flight` must be positive") }
        guard concurrentTasks > 0 else { throw ValidationError("`--concurrent-tasks` must be positive") }
        guard holdSleepsUnder >= 0 else { throw ValidationError("`--hold-sleeps-under` must not be negative") }
        guard dispatchConcurrency > 0 else { throw ValidationError("`--dispatch-concurrency` must be positive") }
        guard fetchBuffer > 0 else { throw ValidationError("`--fetch-buffer` must be positive") }
        guard parkedExecutions >= 0 else { throw ValidationError("`--parked-executions` must not be negative") }
        guard mallocArenas >= 0 else { throw ValidationError("`--malloc-arenas` must not be negative") }
        guard shutdownTimeout > 0 else { throw ValidationError("`--shutdown-timeout` must be positive") }
        guard progressInterval >= 0 else { throw ValidationError("`--progress-interval` must not be negative") }
        if let metricsPort, !(0...65_535).contains(metricsPort) {
            throw ValidationError("`--metrics-port` must be a port number")
        }
    }

    #if canImport(Glibc)
    /// `mallopt(M_ARENA_MAX, count)`; `<malloc.h>` is not part of Swift's Glibc module, so it is looked up.
    private static func limitMallocArenas(to count: Int) {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
        guard let symbol = dlsym(nil, "mallopt") else { return }  // nil: RTLD_DEFAULT
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, Int32(clamping: count))
    }
    #endif

    func run() async throws {
        #if canImport(Glibc)
        // Allocations come from many threads (event loops, the cooperative pool, librdkafka's), and glibc gives
        // contending threads arenas of their own whose free memory the others cannot reuse: with the default
        // limit the resident peak of a 10,000-record backlog was 85-95 MB instead of 82-85 MB.
        if mallocArenas > 0 { Self.limitMallocArenas(to: mallocArenas) }
        #endif
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let logger = Logger(label: "kafka-worker")
        let url = resonateURL ?? ProcessInfo.processInfo.environment["RESONATE_URL"]
        var configuration = Resonate.Configuration()
        configuration.group = KafkaExample.resonateGroup
        configuration.maxParkedExecutions = parkedExecutions
        configuration.maxConcurrentTasks = concurrentTasks
        configuration.heldSleepLimit = .milliseconds(Int64(holdSleepsUnder * 1000))
        if let url, !url.isEmpty {
            configuration.mode = .remote(url: url)
            if let pid { configuration.pid = pid }
            configuration.ttl = .milliseconds(Int64(ttl * 1000))
        } else {
            configuration.mode = .local(path: store)
        }
        let resonate = try Resonate(configuration: configuration)

        var producerConfiguration = KafkaProducerConfiguration(client: brokers.client)
        producerConfiguration.idempotent = true
        let producer = try KafkaProducer(configuration: producerConfiguration)
        var consumerConfiguration = KafkaConsumerConfiguration(
            client: brokers.client,
            groupID: KafkaExample.consumerGroup,
            topics: [KafkaExample.requestsTopic]
        )
        consumerConfiguration.sessionTimeout = .milliseconds(Int64(sessionTimeout * 1000))
        consumerConfiguration.bufferSize = fetchBuffer
        let consumer = try KafkaConsumer(configuration: consumerConfiguration)
        let workflow = try RecordDeletion(
            database: try RecordsDatabase(path: database),
            completions: producer,
            batchSize: batchSize,
            batchSleep: .milliseconds(Int64(batchSleep * 1000)),
            failureRate: failureRate,
            retryDelay: .milliseconds(Int64(retryDelay * 1000)),
            ledger: ledger,
            hangAfterBatch: hangAfterBatch
        ).register(with: resonate)
        let metrics = metricsPort.map { _ in WorkerMetrics() }
        let progress = DispatchProgress(registry: metrics?.registry)
        let inFlight = Permits(maxInFlight)
        let dispatcher = RequestDispatcher(
            consumer: consumer,
            resonate: resonate,
            workflow: workflow,
            deadLetters: deadLetterTopic.map { (producer, $0) },
            inFlight: inFlight,
            dispatchConcurrency: dispatchConcurrency,
            progressInterval: progressInterval > 0 ? .milliseconds(Int64(progressInterval * 1000)) : nil,
            progress: progress,
            logger: logger
        )
        // Shutdown runs in reverse: stop dispatching, leave the consumer group, let running steps finish or
        // suspend, and last flush the completions still in flight.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: producer),
            .init(service: resonate),
            .init(service: consumer),
            .init(service: dispatcher),
        ]
        if let metrics, let metricsPort {
            let endpoint = metrics.application(
                port: metricsPort, inFlight: inFlight, consumer: consumer, logger: logger)
            services.append(.init(service: endpoint))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // A step that cannot finish or suspend (its server is gone) would otherwise hold the shutdown forever.
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(Int64(shutdownTimeout * 1000))
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
