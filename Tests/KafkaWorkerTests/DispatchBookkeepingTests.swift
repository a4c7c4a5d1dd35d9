// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import KafkaExampleSupport
import ResonateKafka
import Synchronization
import Testing

@Suite("Dispatch bookkeeping: in-order commits and in-flight permits")
struct DispatchBookkeepingTests {
    private static func message(_ partition: Int32, _ offset: Int64, topic: String = "t") -> KafkaMessage {
        KafkaMessage(
            topic: topic, partition: partition, offset: offset, key: nil, value: [], headers: [], timestamp: nil)
    }

    @Test("a partition's position moves only past a prefix of finished messages")
    func commitsInOrder() {
        var commits = PartitionCommits()
        for offset in 0..<4 { commits.begin(Self.message(0, Int64(offset))) }
        #expect(commits.finish(Self.message(0, 2)) == nil)
        #expect(commits.finish(Self.message(0, 1)) == nil)
        #expect(commits.finish(Self.message(0, 0))?.offset == 2)
        #expect(commits.outstanding == 1)
        #expect(commits.finish(Self.message(0, 3))?.offset == 3)
        #expect(commits.outstanding == 0)
    }

    @Test("partitions and topics are independent")
    func independentPartitions() {
        var commits = PartitionCommits()
        commits.begin(Self.message(0, 10))
        commits.begin(Self.message(1, 10))
        commits.begin(Self.message(0, 10, topic: "other"))
        commits.begin(Self.message(0, 11))
        #expect(commits.finish(Self.message(0, 11)) == nil)
        #expect(commits.finish(Self.message(1, 10))?.offset == 10)
        #expect(commits.finish(Self.message(0, 10, topic: "other"))?.topic == "other")
        #expect(commits.finish(Self.message(0, 10))?.offset == 11)
    }

    @Test("a partition read again from its committed position forgets what it recorded before")
    func partitionReadAgain() {
        var commits = PartitionCommits()
        commits.begin(Self.message(0, 5))
        commits.begin(Self.message(0, 6))
        // A rebalance took the partition away and gave it back: delivery restarts at the committed offset 5.
        commits.begin(Self.message(0, 5))
        #expect(commits.outstanding == 1)
        #expect(commits.finish(Self.message(0, 6)) == nil)  // from before: nothing to commit
        #expect(commits.finish(Self.message(0, 5))?.offset == 5)
    }

    @Test("permits admit at most their count and hand released ones to waiters in order")
    func permitsBound() async throws {
        let permits = Permits(2)
        try await permits.acquire()
        try await permits.acquire()
        #expect(permits.held == 2)
        let order = Arrivals()
        try await withThrowingTaskGroup { group in
            for index in 0..<3 {
                group.addTask {
                    try await permits.acquire()
                    order.add(index)
                }
                // Each waiter queues before the next starts.
                while permits.waiting < index + 1 { await Task.yield() }
            }
            #expect(order.values == [])
            permits.release()
            permits.release()
            permits.release()
            try await group.waitForAll()
        }
        #expect(order.values == [0, 1, 2])
        #expect(permits.held == 2)
    }

    @Test("a cancelled wait for a permit throws and takes nothing")
    func cancelledWait() async throws {
        let permits = Permits(1)
        try await permits.acquire()
        let waiter = Task { try await permits.acquire() }
        while permits.waiting < 1 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(permits.waiting == 0)
        permits.release()
        #expect(permits.held == 0)
        try await permits.acquire()
        #expect(permits.held == 1)
    }
}

/// The order in which tasks got through.
private final class Arrivals: Sendable {
    private let state = Mutex<[Int]>([])
    func add(_ value: Int) { state.withLock { $0.append(value) } }
    var values: [Int] { state.withLock { $0 } }
}
