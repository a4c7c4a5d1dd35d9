// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Settings shared by producers, consumers and administration clients.
public struct KafkaClientConfiguration: Sendable {
    /// Brokers to bootstrap from, e.g. `["localhost:9092"]`.
    public var bootstrapServers: [String]
    /// The `client.id` brokers see.
    public var clientID = "resonate-swift"
    /// Any other librdkafka property (`security.protocol`, `test.mock.num.brokers`, …); wins over the typed ones.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    var librdkafkaProperties: [String: String] {
        var properties = ["bootstrap.servers": bootstrapServers.joined(separator: ","), "client.id": clientID]
        properties.merge(self.properties) { _, explicit in explicit }
        return properties
    }
}

/// How a ``KafkaConsumer`` joins its group.
public struct KafkaConsumerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// The consumer group; the partitions of the topics are shared among its members.
    public var groupID: String
    public var topics: [String]
    /// Where a group without committed offsets starts: the oldest message (default) or only new ones.
    public var startFromBeginning = true
    /// How long the group waits for a silent member before rebalancing its partitions. Default 10 s.
    public var sessionTimeout: Duration = .seconds(10)
    /// How many fetched messages wait for the application at most. Default 256.
    public var bufferSize = 256
    /// How long the buffer may stay full before the assigned partitions are paused. Default 500 ms.
    ///
    /// While the buffer is full the consumer takes nothing from librdkafka, which also means it serves no
    /// rebalance; a paused consumer serves them again. Shorter means quicker rebalances during a stall, longer
    /// means fewer pauses (each discards librdkafka's prefetched messages, which are fetched again).
    public var pauseAfter: Duration = .milliseconds(500)

    public init(client: KafkaClientConfiguration, groupID: String, topics: [String]) {
        self.client = client
        self.groupID = groupID
        self.topics = topics
    }

    var librdkafkaProperties: [String: String] {
        var properties = [
            "group.id": groupID,
            "auto.offset.reset": startFromBeginning ? "earliest" : "latest",
            // Offsets are committed by the application, after it has done what a message asks.
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "session.timeout.ms": String(Self.milliseconds(sessionTimeout)),
            "heartbeat.interval.ms": String(max(100, Self.milliseconds(sessionTimeout) / 3)),
        ]
        properties.merge(client.librdkafkaProperties) { _, explicit in explicit }
        return properties
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// How a ``KafkaProducer`` sends.
public struct KafkaProducerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// Idempotent delivery (default): the broker discards duplicates that retries would otherwise write, and
    /// messages to a partition stay in order.
    public var idempotent = true
    /// How long a message may take to be delivered before its send fails. Default 30 s.
    public var deliveryTimeout: Duration = .seconds(30)
    /// How long to wait for more messages to batch with. Default 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// How long closing waits for messages still in flight. Default 10 s.
    public var flushTimeout: Duration = .seconds(10)

    public init(client: KafkaClientConfiguration) {
        self.client = client
    }

    var librdkafkaProperties: [String: String] {
        var properties = [
            "enable.idempotence": idempotent ? "true" : "false",
            "delivery.timeout.ms": String(KafkaConsumerConfiguration.milliseconds(deliveryTimeout)),
            "linger.ms": String(KafkaConsumerConfiguration.milliseconds(linger)),
        ]
        if idempotent { properties["acks"] = "all" }
        properties.merge(client.librdkafkaProperties) { _, explicit in explicit }
        return properties
    }
}
