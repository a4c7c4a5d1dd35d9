// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateKafka

/// Which offset each partition may commit while several of its messages are dispatched at once.
///
/// A partition's position moves past a message only when it and every message before it in that partition are
/// done, so a crash never skips a message whose workflow was not yet created: it is delivered again and attaches.
public struct PartitionCommits: Sendable {
    private struct Entry {
        var message: KafkaMessage
        var isDone = false
    }

    private var partitions: [KafkaTopicPartition: [Entry]] = [:]

    public init() {}

    /// Records a message taken from the consumer, before its dispatch starts.
    ///
    /// A message at or before one already recorded for its partition means the partition was read again from its
    /// committed position (after a rebalance brought it back): what was recorded before is forgotten.
    public mutating func begin(_ message: KafkaMessage) {
        let partition = message.topicPartition
        if let last = partitions[partition]?.last, last.message.offset >= message.offset {
            partitions[partition] = nil
        }
        partitions[partition, default: []].append(Entry(message: message))
    }

    /// Marks a message done; returns the message to commit, the last of the partition's done prefix, if the
    /// position can move.
    public mutating func finish(_ message: KafkaMessage) -> KafkaMessage? {
        let partition = message.topicPartition
        guard var entries = partitions[partition],
            let index = entries.firstIndex(where: { $0.message.offset == message.offset })
        else { return nil }
        entries[index].isDone = true
        let donePrefix = entries.prefix { $0.isDone }.count
        let commit = donePrefix > 0 ? entries[donePrefix - 1].message : nil
        entries.removeFirst(donePrefix)
        partitions[partition] = entries.isEmpty ? nil : entries
        return commit
    }

    /// Messages taken and not yet committable, over all partitions.
    public var outstanding: Int { partitions.values.reduce(0) { $0 + $1.count } }
}
