// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ResonateKafka
import ServiceLifecycle
import Synchronization
import Testing

enum KafkaTestSupport {
    static func producer(_ cluster: KafkaMockCluster) -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: [cluster.bootstrapServers]))
    }

    static func consumer(_ cluster: KafkaMockCluster, group: String, topics: [String]) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(
            client: KafkaClientConfiguration(bootstrapServers: [cluster.bootstrapServers]),
            groupID: group,
            topics: topics
        )
        configuration.sessionTimeout = .seconds(6)
        return configuration
    }

    /// Runs `services` while `body` runs, then stops them (cancellation, as a service group would on shutdown) and
    /// waits until they have closed.
    static func running(_ services: any Service..., body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            do {
                try await body()
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    /// The next `count` messages.
    static func collect(_ count: Int, from consumer: KafkaConsumer) async throws -> [KafkaMessage] {
        var messages: [KafkaMessage] = []
        for await message in consumer.messages {
            messages.append(message)
            if messages.count == count { break }
        }
        try #require(messages.count == count, "the consumer closed after \(messages.count) of \(count) messages")
        return messages
    }

    /// Sends `count` messages valued `0`, `1`, … to `topic`, keyed `k<value mod keys>`, many at a time.
    static func produce(_ count: Int, to topic: String, keys: Int, with producer: KafkaProducer) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 256 { try await group.next() }
                group.addTask {
                    _ = try await producer.send(
                        KafkaProducerMessage(topic: topic, key: "k\(index % keys)", value: "\(index)"))
                }
            }
            try await group.waitForAll()
        }
    }

    /// Expects the values `0..<count`, each once, and each partition's messages in offset order with no gap (the
    /// values of one key are not in value order: they were produced concurrently).
    static func expectInOrderOnce(
        _ messages: [KafkaMessage], count: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let values = messages.compactMap { Int($0.valueText) }
        #expect(values.count == count, sourceLocation: sourceLocation)
        #expect(Set(values) == Set(0..<count), "lost or duplicated messages", sourceLocation: sourceLocation)
        for (partition, messages) in Dictionary(grouping: messages, by: \.partition) {
            let offsets = messages.map(\.offset)
            #expect(
                offsets == Array(0..<Int64(messages.count)), "partition \(partition) out of order or with gaps",
                sourceLocation: sourceLocation)
        }
    }

    /// Values seen by several consumers.
    final class Collector: Sendable {
        private let state = Mutex<(values: [String], members: Set<String>)>(([], []))

        func add(_ value: String, by member: String) {
            state.withLock {
                $0.values.append(value)
                $0.members.insert(member)
            }
        }

        var count: Int { state.withLock { $0.values.count } }
        var values: [String] { state.withLock { $0.values } }
        var members: Set<String> { state.withLock { $0.members } }
    }
}
