// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ExampleSupport
import KafkaExampleSupport
import ResonateKafka

/// Creates the two topics of the durable Kafka worker.
@main
struct KafkaSetupTopics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-setup-topics",
        abstract: "Creates the topics \(KafkaExample.requestsTopic) and \(KafkaExample.completionsTopic)."
    )

    @OptionGroup var brokers: BrokerOptions

    @Option(help: "Partitions per topic; the consumer group spreads them over its workers.")
    var partitions: Int32 = 1

    func validate() throws {
        guard partitions > 0 else { throw ValidationError("`--partitions` must be a positive integer") }
    }

    func run() async throws {
        let topics = [KafkaExample.requestsTopic, KafkaExample.completionsTopic]
        do {
            let outcome = try await KafkaAdmin(configuration: brokers.client).createTopics(
                topics.map { KafkaTopic(name: $0, partitions: partitions) }
            )
            let created = topics.filter { outcome[$0] == .created }
            if created.isEmpty {
                Output.line("Topics already exist.")
            } else {
                Output.line("Topics created: \(created.joined(separator: ", "))")
            }
        } catch {
            Output.line("Failed to create topics: \(error)")
            throw ExitCode.failure
        }
    }
}
