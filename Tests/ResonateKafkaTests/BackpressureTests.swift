// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateKafka
import ResonateTesting
import Testing

/// A backlog far larger than the consumer's buffer, read by an application slower than the broker.
@Suite("Kafka consumer backpressure on the mock cluster", .timeLimit(.minutes(3)))
struct BackpressureTests {
    static let backlog = 2_000
    static let bufferSize = 16

    @Test("a backlog 125 times the buffer is read in order, once, with the buffer bounded and the member kept")
    func backlogFarAboveTheBuffer() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("backlog", partitions: 3)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producer(cluster))
        try await KafkaTestSupport.running(producer) {
            try await KafkaTestSupport.produce(Self.backlog, to: "backlog", keys: 30, with: producer)
        }

        var configuration = KafkaTestSupport.consumer(cluster, group: "slow", topics: ["backlog"])
        configuration.bufferSize = Self.bufferSize
        let consumer = try KafkaConsumer(configuration: configuration)
        try await KafkaTestSupport.running(consumer) {
            var received: [KafkaMessage] = []
            var largestBuffer = 0
            var sawPause = false
            for await message in consumer.messages {
                received.append(message)
                largestBuffer = max(largestBuffer, consumer.bufferedCount)
                sawPause = sawPause || consumer.isFetchPaused
                if received.count == 100 {
                    // Take nothing for longer than the session timeout (6 s): the member must stay in its group.
                    let before = consumer.assignedPartitions
                    try await Task.sleep(for: .seconds(8))
                    #expect(consumer.isFetchPaused)
                    #expect(consumer.bufferedCount <= Self.bufferSize + 1)
                    #expect(consumer.assignedPartitions == before && before.count == 3)
                }
                if received.count == Self.backlog { break }
            }
            #expect(sawPause)
            // librdkafka may hand over a message it had already queued when the pause is applied.
            #expect(largestBuffer <= Self.bufferSize + 1)
            KafkaTestSupport.expectInOrderOnce(received, count: Self.backlog)
        }
    }

    @Test("a reader slower than the broker but steady keeps the buffer full and never pauses fetching")
    func steadyReaderNeverPauses() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("steady", partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producer(cluster))
        try await KafkaTestSupport.running(producer) {
            try await KafkaTestSupport.produce(300, to: "steady", keys: 20, with: producer)
        }
        var configuration = KafkaTestSupport.consumer(cluster, group: "steady", topics: ["steady"])
        configuration.bufferSize = Self.bufferSize
        // Far above the reader's gaps even on a loaded machine: the property holds for any delay.
        configuration.pauseAfter = .seconds(5)
        let consumer = try KafkaConsumer(configuration: configuration)
        try await KafkaTestSupport.running(consumer) {
            var received: [KafkaMessage] = []
            var fullAtLeastOnce = false
            for await message in consumer.messages {
                received.append(message)
                // Each pause would discard librdkafka's prefetch and stall fetching for up to a second.
                #expect(!consumer.isFetchPaused)
                fullAtLeastOnce = fullAtLeastOnce || consumer.bufferedCount >= Self.bufferSize - 1
                if received.count == 300 { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(fullAtLeastOnce)
            KafkaTestSupport.expectInOrderOnce(received, count: 300)
        }
    }

    @Test("a member that joins while the other's fetching is paused gets its share, and nothing is lost")
    func rebalanceWhilePaused() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("shared-backlog", partitions: 4)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.producer(cluster))
        try await KafkaTestSupport.running(producer) {
            try await KafkaTestSupport.produce(1_000, to: "shared-backlog", keys: 40, with: producer)
        }
        var configuration = KafkaTestSupport.consumer(cluster, group: "joiners", topics: ["shared-backlog"])
        configuration.bufferSize = Self.bufferSize
        let first = try KafkaConsumer(configuration: configuration)
        let second = try KafkaConsumer(configuration: configuration)
        let seen = KafkaTestSupport.Collector()
        try await KafkaTestSupport.running(first) {
            // The first member fills its buffer and pauses before anyone reads.
            try await eventually("the first member to pause", within: .seconds(30)) { first.isFetchPaused }
            try await KafkaTestSupport.running(second) {
                // Nobody reads until the group has rebalanced: the join completes while the first member's fetching
                // is paused (its group session must stay alive for that), and the first cannot drain the whole
                // backlog before the second has partitions (a slow machine once let it).
                try await eventually("the second member to get partitions", within: .seconds(60)) {
                    !second.assignedPartitions.isEmpty && !first.assignedPartitions.isEmpty
                }
                #expect(first.assignedPartitions.isDisjoint(with: second.assignedPartitions))
                #expect(first.assignedPartitions.count + second.assignedPartitions.count == 4)
                try await withThrowingTaskGroup { group in
                    for (name, consumer) in [("first", first), ("second", second)] {
                        group.addTask {
                            for await message in consumer.messages {
                                seen.add("\(message.partition):\(message.offset)", by: name)
                                try consumer.commit(message)
                            }
                        }
                    }
                    try await eventually("1,000 messages, \(Set(seen.values).count) so far", within: .seconds(90)) {
                        Set(seen.values).count == 1_000
                    }
                    group.cancelAll()
                }
            }
        }
        // Messages read before a rebalance and not yet committed may be read again by the new owner: at least
        // once, never lost.
        #expect(Set(seen.values).count == 1_000)
        #expect(seen.members == ["first", "second"])
    }
}
