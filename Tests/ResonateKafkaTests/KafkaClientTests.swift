// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateKafka
import ResonateTesting
import ServiceLifecycle
import Testing

/// The client against librdkafka's in-process mock cluster: real protocol, real consumer groups, no broker.
@Suite("Kafka client on the mock cluster", .timeLimit(.minutes(2)))
struct KafkaClientTests {
    @Test("sent messages arrive with their keys, values and headers, in order per key")
    func roundTrip() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("events", partitions: 3)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producer(cluster))
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumer(cluster, group: "g", topics: ["events"]))
        try await KafkaTestSupport.running(producer, consumer) {
            var reports: [KafkaDeliveryReport] = []
            for index in 0..<30 {
                let message = KafkaProducerMessage(
                    topic: "events",
                    key: "key-\(index % 5)",
                    value: "value-\(index)",
                    headers: [
                        KafkaHeader(name: "index", value: Array("\(index)".utf8)),
                        KafkaHeader(name: "empty", value: nil),
                    ]
                )
                reports.append(try await producer.send(message))
            }
            #expect(reports.allSatisfy { $0.topic == "events" && $0.offset >= 0 && (0..<3).contains($0.partition) })

            let received = try await KafkaTestSupport.collect(30, from: consumer)
            #expect(Set(received.map(\.valueText)) == Set((0..<30).map { "value-\($0)" }))
            for message in received {
                let index = Int(message.valueText.dropFirst("value-".count))!
                #expect(message.keyText == "key-\(index % 5)")
                #expect(
                    message.headers == [
                        KafkaHeader(name: "index", value: Array("\(index)".utf8)),
                        KafkaHeader(name: "empty", value: nil),
                    ])
                #expect(message.timestamp != nil)
                let report = reports[index]
                #expect(message.partition == report.partition && message.offset == report.offset)
            }
            // One key, one partition: each key's messages keep the order they were sent in.
            for key in 0..<5 {
                let order = received.filter { $0.keyText == "key-\(key)" }.map(\.valueText)
                #expect(order == stride(from: key, to: 30, by: 5).map { "value-\($0)" })
                #expect(Set(received.filter { $0.keyText == "key-\(key)" }.map(\.partition)).count == 1)
            }
        }
    }

    @Test("a committed position survives a restart: the next member of the group continues after it")
    func committedOffsets() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("jobs")
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producer(cluster))
        try await KafkaTestSupport.running(producer) {
            for index in 0..<10 { try await producer.send(KafkaProducerMessage(topic: "jobs", value: "\(index)")) }
        }

        let first = try KafkaConsumer(
            configuration: KafkaTestSupport.consumer(cluster, group: "workers", topics: ["jobs"]))
        try await KafkaTestSupport.running(first) {
            let messages = try await KafkaTestSupport.collect(4, from: first)
            #expect(messages.map(\.valueText) == ["0", "1", "2", "3"])
            // Commit the third only: the fourth was seen but its work "was not done".
            try first.commit(messages[2])
        }
        // Closing left the group after the asynchronous commit reached the broker.

        let second = try KafkaConsumer(
            configuration: KafkaTestSupport.consumer(cluster, group: "workers", topics: ["jobs"]))
        try await KafkaTestSupport.running(second) {
            let messages = try await KafkaTestSupport.collect(7, from: second)
            #expect(messages.map(\.valueText) == (3..<10).map { "\($0)" })
        }
    }

    @Test("members of one group share the partitions and together see every message once")
    func groupSharesPartitions() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("shared", partitions: 4)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producer(cluster))
        let one = try KafkaConsumer(
            configuration: KafkaTestSupport.consumer(cluster, group: "pair", topics: ["shared"]))
        let two = try KafkaConsumer(
            configuration: KafkaTestSupport.consumer(cluster, group: "pair", topics: ["shared"]))
        let seen = KafkaTestSupport.Collector()
        try await KafkaTestSupport.running(producer, one, two) {
            try await withThrowingTaskGroup { group in
                for (name, consumer) in [("one", one), ("two", two)] {
                    group.addTask {
                        for await message in consumer.messages {
                            seen.add(message.valueText, by: name)
                            try consumer.commit(message)
                        }
                    }
                }
                // Wait until each member holds half of the partitions, so that the messages spread over both.
                try await eventually("each member to hold two partitions", within: .seconds(30)) {
                    one.assignedPartitions.count == 2 && two.assignedPartitions.count == 2
                }
                #expect(one.assignedPartitions.isDisjoint(with: two.assignedPartitions))
                for index in 0..<40 {
                    try await producer.send(KafkaProducerMessage(topic: "shared", key: "k\(index)", value: "\(index)"))
                }
                try await eventually("40 messages, \(seen.count) so far", within: .seconds(30)) { seen.count == 40 }
                group.cancelAll()
            }
        }
        #expect(seen.values.sorted() == (0..<40).map { "\($0)" }.sorted())
        #expect(seen.members == ["one", "two"])
    }

    @Test("graceful shutdown ends the message sequence")
    func gracefulShutdownEndsMessages() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("quiet")
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumer(cluster, group: "g", topics: ["quiet"]))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [consumer], logger: Logger(label: "test"))
        )
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                var count = 0
                for await _ in consumer.messages { count += 1 }
                #expect(count == 0)
            }
            try await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("a message the broker cannot take fails its send with librdkafka's reason")
    func oversizedMessageFails() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("small")
        var configuration = KafkaTestSupport.producer(cluster)
        configuration.client.properties["message.max.bytes"] = "2000"
        let producer = try KafkaProducer(configuration: configuration)
        try await KafkaTestSupport.running(producer) {
            let error = await #expect(throws: KafkaError.self) {
                try await producer.send(KafkaProducerMessage(topic: "small", value: [UInt8](repeating: 7, count: 5000)))
            }
            #expect(error?.code != 0)
            #expect(error?.description.contains("cannot send to small") == true)
            // The producer keeps working.
            let report = try await producer.send(KafkaProducerMessage(topic: "small", value: "fits"))
            #expect(report.offset == 0)
        }
    }

    @Test("sending through a closed producer fails at once")
    func closedProducer() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("t")
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producer(cluster))
        try await KafkaTestSupport.running(producer) {
            try await producer.send(KafkaProducerMessage(topic: "t", value: "before"))
        }
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: "t", value: "after"))
        }
        #expect(error?.message == "the producer is closed")
    }

    @Test("an unknown or invalid setting is rejected by name")
    func invalidSetting() throws {
        var client = KafkaClientConfiguration(bootstrapServers: ["localhost:9092"])
        client.properties["no.such.setting"] = "1"
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: KafkaProducerConfiguration(client: client))
        }
        #expect(error?.message.contains("no.such.setting=1") == true)
    }
}
