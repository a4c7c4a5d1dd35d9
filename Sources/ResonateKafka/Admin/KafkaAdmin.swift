// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CRdKafka
public import Logging

/// Topic administration.
///
/// ```swift
/// let admin = KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"]))
/// let outcome = try await admin.createTopics([KafkaTopic(name: "events", partitions: 3)])
/// ```
public struct KafkaAdmin: Sendable {
    public let configuration: KafkaClientConfiguration
    let logger: Logger

    public init(configuration: KafkaClientConfiguration, logger: Logger = Logger(label: "resonate.kafka.admin")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// What became of one topic in ``createTopics(_:timeout:)``.
    public enum TopicCreation: Sendable, Hashable {
        case created
        case alreadyExists
    }

    /// Creates topics; a topic that exists already is reported, not an error.
    ///
    /// - Throws: ``KafkaError`` for any other failure, naming the topic.
    public func createTopics(
        _ topics: [KafkaTopic],
        timeout: Duration = .seconds(30)
    ) async throws -> [String: TopicCreation] {
        let handle = try RDKafkaHandle(kind: .producer, properties: configuration.librdkafkaProperties, logger: logger)
        let timeoutMilliseconds = Int32(clamping: KafkaConsumerConfiguration.milliseconds(timeout))
        let outcome = Outcome()
        // Admin results arrive on a queue that is polled with a blocking call: do it on a thread of our own.
        let thread = PollThread(name: "resonate-kafka-admin") { _ in
            outcome.result = Self.createTopics(topics, on: handle, timeoutMilliseconds: timeoutMilliseconds)
            handle.destroy()
        }
        await thread.waitUntilFinished()
        return try (outcome.result ?? .failure(KafkaError(message: "topic creation did not finish"))).get()
    }

    private static func createTopics(
        _ topics: [KafkaTopic],
        on handle: RDKafkaHandle,
        timeoutMilliseconds: Int32
    ) -> Result<[String: TopicCreation], KafkaError> {
        var errorText = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for topic in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name,
                    topic.partitions,
                    topic.replicationFactor,
                    &errorText,
                    errorText.count
                )
            else {
                return .failure(KafkaError(message: "invalid topic \(topic.name): \(RDKafkaHandle.text(errorText))"))
            }
            newTopics.append(newTopic)
        }
        let queue = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(handle.pointer, buffer.baseAddress, buffer.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 5_000) else {
            return .failure(KafkaError(message: "no answer to topic creation within the timeout"))
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(eventError, context: "topic creation failed"))
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            return .failure(KafkaError(message: "unexpected answer to topic creation"))
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return .success([:]) }
        var outcome: [String: TopicCreation] = [:]
        for index in 0..<count {
            let topicResult = results[index]
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            switch rd_kafka_topic_result_error(topicResult) {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcome[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcome[name] = .alreadyExists
            case let error:
                let message = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
                return .failure(KafkaError(code: error.rawValue, message: "cannot create topic \(name): \(message)"))
            }
        }
        return .success(outcome)
    }

    /// Carries the result from the admin thread to the awaiting task; the thread's completion orders the two.
    private final class Outcome: @unchecked Sendable {
        var result: Result<[String: TopicCreation], KafkaError>?
    }
}
