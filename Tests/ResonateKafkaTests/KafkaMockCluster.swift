// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CRdKafka
import Logging
import ResonateKafka

/// librdkafka's in-process mock Kafka cluster, for fast tests without a broker.
///
/// ```swift
/// let cluster = try KafkaMockCluster(brokers: 1)
/// try cluster.createTopic("events", partitions: 2)
/// let client = KafkaClientConfiguration(bootstrapServers: [cluster.bootstrapServers])
/// ```
///
/// The cluster lives as long as this value.
final class KafkaMockCluster: Sendable {
    private let handle: RDKafkaHandle
    /// The address clients connect to.
    let bootstrapServers: String

    init(brokers: Int = 1, logger: Logger = Logger(label: "resonate.kafka.mock")) throws(KafkaError) {
        handle = try RDKafkaHandle(
            kind: .producer,
            properties: ["test.mock.num.brokers": String(brokers), "bootstrap.servers": "localhost:1"],
            logger: logger
        )
        guard let cluster = rd_kafka_handle_mock_cluster(handle.pointer) else {
            throw KafkaError(message: "librdkafka did not create a mock cluster")
        }
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    /// Creates a topic on the mock cluster.
    func createTopic(_ name: String, partitions: Int32 = 1) throws(KafkaError) {
        guard let cluster = rd_kafka_handle_mock_cluster(handle.pointer) else {
            throw KafkaError(message: "the mock cluster is gone")
        }
        let result = rd_kafka_mock_topic_create(cluster, name, partitions, 1)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(result, context: "cannot create \(name)") }
    }

    /// The librdkafka version linked into this program.
    static var librdkafkaVersion: String { RDKafkaHandle.version }
}
