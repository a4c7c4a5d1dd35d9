// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
public import ResonateKafka

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--brokers`, shared by the three programs.
public struct BrokerOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers, comma-separated. [env: KAFKA_BROKERS] (default: localhost:9092)")
    public var brokers: String?

    public init() {}

    /// The configured brokers: the option, else `KAFKA_BROKERS`, else `localhost:9092`.
    public var client: KafkaClientConfiguration {
        let list = brokers ?? ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "localhost:9092"
        var client = KafkaClientConfiguration(
            bootstrapServers: list.split(separator: ",").map {
                String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            }
        )
        client.clientID = "resonate-swift-kafka-example"
        return client
    }
}
