// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ExampleSupport
import KafkaExampleSupport
import Logging
import ResonateKafka

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Stands in for the application that decides records must go: creates records (with rows) in the records
/// database and publishes one deletion request per record to `records_to_be_deleted`.
@main
struct KafkaRecordProducer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-producer",
        abstract: "Creates N records and asks for their deletion on \(KafkaExample.requestsTopic)."
    )

    @OptionGroup var brokers: BrokerOptions

    @Option(name: .customShort("n"), help: "How many new records to create and publish.")
    var count: Int?

    @Option(name: .customLong("record-id"), help: "Publish this record id (repeatable) instead of new random ones.")
    var recordIDs: [String] = []

    @Option(name: .customLong("raw"), help: "Publish this value verbatim (repeatable), to try malformed requests.")
    var rawValues: [String] = []

    @Option(
        name: .customLong("cancel"),
        help: "Ask the workers to cancel this record's deletion (repeatable): publishes {\"cancel\": \"<id>\"}.")
    var cancelIDs: [String] = []

    @Option(help: "Rows per new record (default: random, 5 to 40).")
    var rows: Int?

    @Option(help: "The records database, shared with the workers.")
    var database = KafkaExample.defaultDatabase

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("`-n` must be a positive integer") }
        if count == nil && recordIDs.isEmpty && rawValues.isEmpty && cancelIDs.isEmpty {
            throw ValidationError(
                "Usage: kafka-producer -n <count> (or --record-id <id> …, --cancel <id> …, --raw <value> …)")
        }
        if let rows, rows < 0 { throw ValidationError("`--rows` must not be negative") }
    }

    func run() async throws {
        // Record ids like the reference example's: a random UUID as 32 lowercase hex digits.
        let ids =
            recordIDs
            + (0..<(count ?? 0)).map { _ in String(UUID().uuidString.lowercased().filter { $0 != "-" }) }
        if !ids.isEmpty {
            let records = try RecordsDatabase(path: database)
            try records.createRecords(ids.map { (id: $0, rows: rows ?? Int.random(in: 5...40)) })
        }
        // A request's key and value: the id as a JSON string, or a raw value as given.
        // A cancellation is keyed by the record id too: it follows the record's deletion request in its partition.
        let messages =
            ids.map { (key: Optional($0), value: "\"\($0)\"", what: "Record \($0)") }
            + cancelIDs.map {
                (key: Optional($0), value: #"{"cancel":"\#($0)"}"#, what: "Cancellation of record \($0)")
            }
            + rawValues.map { (key: nil, value: $0, what: "Raw message") }

        var logger = Logger(label: "kafka-producer")
        logger.logLevel = .warning
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: brokers.client), logger: logger)
        try await withThrowingTaskGroup { group in
            group.addTask { try await producer.run() }
            try await withThrowingTaskGroup(of: Void.self) { sends in
                // Many sends in flight at once (they share batches); at most 512, to bound memory.
                for (index, message) in messages.enumerated() {
                    if index >= 512 { try await sends.next() }
                    sends.addTask {
                        let report = try await producer.send(
                            KafkaProducerMessage(
                                topic: KafkaExample.requestsTopic, key: message.key, value: message.value)
                        )
                        Output.line(
                            "\(message.what) produced to \(report.topic) [\(report.partition)] at offset \(report.offset)"
                        )
                    }
                }
                try await sends.waitForAll()
            }
            group.cancelAll()
            try await group.waitForAll()
        }
        Output.line("Produced \(messages.count) messages.")
    }
}
