// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CRdKafka
public import Logging
public import ServiceLifecycle
import Synchronization

/// Reads the messages of some topics as a member of a consumer group.
///
/// ```swift
/// let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(
///     client: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"]),
///     groupID: "record_consumer_group", topics: ["records_to_be_deleted"]))
/// // run it as a Service, then:
/// for await message in consumer.messages {
///     try await handle(message)
///     try consumer.commit(message)      // at-least-once: commit after the work is safe
/// }
/// ```
///
/// The group's partitions are assigned and revoked as members come and go (eager and cooperative rebalancing
/// alike). Offsets are committed only by ``commit(_:)``: a message that was not committed is delivered again
/// after a restart or a rebalance. Fetching runs on a dedicated thread; when
/// ``KafkaConsumerConfiguration/bufferSize`` messages wait for the application it takes no more until the
/// application takes one, and if that lasts ``KafkaConsumerConfiguration/pauseAfter`` it pauses the assigned
/// partitions (the member stays in its group meanwhile) and resumes them once half of those have been taken. A
/// backlog of any size is therefore read at the application's pace with bounded memory: the buffer plus
/// librdkafka's prefetch (`queued.max.messages.kbytes`).
public final class KafkaConsumer: Service, Sendable {
    private let handle: RDKafkaHandle
    private let buffer: MessageBuffer<KafkaMessage>
    private let gate: FetchGate
    private let room: ThreadSignal
    private let waker: ConsumerQueueWaker
    private let logger: Logger

    /// The consumed messages, in order per partition. One task at a time iterates it; iteration ends when the
    /// consumer closes or the iterating task is cancelled.
    public let messages: KafkaConsumerMessages

    public init(
        configuration: KafkaConsumerConfiguration, logger: Logger = Logger(label: "resonate.kafka.consumer")
    )
        throws(KafkaError)
    {
        self.logger = logger
        handle = try RDKafkaHandle(kind: .consumer, properties: configuration.librdkafkaProperties, logger: logger) {
            rd_kafka_conf_set_rebalance_cb($0, rebalanceCallback)
            rd_kafka_conf_set_offset_commit_cb($0, commitCallback)
        }
        rd_kafka_poll_set_consumer(handle.pointer)
        let topics = rd_kafka_topic_partition_list_new(Int32(configuration.topics.count))
        defer { rd_kafka_topic_partition_list_destroy(topics) }
        for topic in configuration.topics {
            rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA)
        }
        let result = rd_kafka_subscribe(handle.pointer, topics)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(result, context: "cannot subscribe to \(configuration.topics.joined(separator: ", "))")
        }
        let gate = FetchGate(capacity: configuration.bufferSize, pauseAfter: configuration.pauseAfter)
        let room = ThreadSignal()
        let waker = ConsumerQueueWaker(handle)
        let context = handle.context
        // The poll thread acts on these at once, not when its wait ends.
        buffer = MessageBuffer { remaining in
            if remaining == gate.capacity - 1 { room.signal() }
            if remaining == gate.resumeAt, context.isFetchPaused.load(ordering: .relaxed) { waker.wake() }
        }
        self.gate = gate
        self.room = room
        self.waker = waker
        messages = KafkaConsumerMessages(buffer: buffer)
    }

    deinit {
        // A consumer that never ran still holds its queue reference, which must go before the client does.
        waker.close()
    }

    /// The partitions this member holds right now (empty before the group assigned any, and after closing).
    public var assignedPartitions: Set<KafkaTopicPartition> {
        handle.context.assignment.withLock { $0 }
    }

    /// Commits `message`'s position: after a restart or rebalance the group continues after it.
    ///
    /// The commit is sent in the background (the call does not wait for the broker); a failed commit is logged
    /// and the message may be delivered again, which at-least-once processing must tolerate anyway.
    public func commit(_ message: KafkaMessage) throws(KafkaError) {
        let list = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let partition = rd_kafka_topic_partition_list_add(list, message.topic, message.partition)
        partition?.pointee.offset = message.offset + 1
        let result = rd_kafka_commit(handle.pointer, list, 1)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(result, context: "cannot commit \(message.topic)[\(message.partition)]@\(message.offset)")
        }
    }

    /// How many fetched messages wait for the application.
    public var bufferedCount: Int { buffer.count }

    /// Whether fetching is paused because ``KafkaConsumerConfiguration/bufferSize`` messages wait.
    public var isFetchPaused: Bool { handle.context.isFetchPaused.load(ordering: .relaxed) }

    /// How many messages of each assigned partition this member has not taken yet: the partition's end (as last
    /// reported by a fetch) minus the position of the next message to hand to the application. Messages already
    /// buffered count as taken (see ``bufferedCount``). Partitions whose end is not known yet are left out.
    public func lag() -> [KafkaTopicPartition: Int64] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle.pointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [:] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard rd_kafka_position(handle.pointer, list) == RD_KAFKA_RESP_ERR_NO_ERROR, let elements = list.pointee.elems
        else { return [:] }
        var lag: [KafkaTopicPartition: Int64] = [:]
        for index in 0..<Int(list.pointee.cnt) {
            let element = elements[index]
            var low: Int64 = 0
            var high: Int64 = 0
            guard
                rd_kafka_get_watermark_offsets(handle.pointer, element.topic, element.partition, &low, &high)
                    == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0
            else { continue }
            let position = element.offset >= 0 ? element.offset : low
            lag[KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)] =
                max(0, high - position)
        }
        return lag
    }

    /// Fetches messages until graceful shutdown or cancellation, then leaves the group and closes.
    public func run() async throws {
        let handle = self.handle
        let buffer = self.buffer
        let initialGate = self.gate
        let room = self.room
        let waker = self.waker
        let thread = PollThread(name: "resonate-kafka-consumer") { thread in
            var gate = initialGate
            while !thread.shouldStop {
                switch gate.next(buffered: buffer.count, now: .now) {
                case .poll: break
                case .waitForRoom(let deadline):
                    room.wait(until: deadline)
                    continue
                case .pause: handle.setFetchPaused(true)
                case .resume: handle.setFetchPaused(false)
                }
                // Also while paused: this call serves rebalances and heartbeats and keeps the member in its group.
                guard let raw = rd_kafka_consumer_poll(handle.pointer, 100) else { continue }
                defer { rd_kafka_message_destroy(raw) }
                let error = raw.pointee.err
                if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                    guard buffer.append(KafkaMessage(copying: raw)) else { break }
                } else if error != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    handle.context.logger.warning(
                        "consumer error",
                        metadata: ["error": "\(String(cString: rd_kafka_err2str(error)))"]
                    )
                }
            }
            // Leaving the group hands our partitions to the other members at once.
            rd_kafka_consumer_close(handle.pointer)
            handle.context.assignment.withLock { $0 = [] }
            buffer.finish()
            waker.close()
            handle.destroy()
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await thread.waitUntilFinished()
            } onCancel: {
                Self.stop(thread, room, waker)
            }
        } onGracefulShutdown: {
            Self.stop(thread, room, waker)
        }
    }

    /// Stops the poll thread, ending whichever wait it is in.
    private static func stop(_ thread: PollThread, _ room: ThreadSignal, _ waker: ConsumerQueueWaker) {
        thread.stop()
        room.signal()
        waker.wake()
    }
}

extension RDKafkaHandle {
    /// Pauses or resumes fetching of every assigned partition (on the poll thread).
    fileprivate func setFetchPaused(_ paused: Bool) {
        context.isFetchPaused.store(paused, ordering: .relaxed)
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(pointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = paused ? rd_kafka_pause_partitions(pointer, list) : rd_kafka_resume_partitions(pointer, list)
        context.logger.debug(
            paused ? "fetching paused: the buffer is full" : "fetching resumed",
            metadata: ["partitions": "\(describe(list))", "result": "\(String(cString: rd_kafka_err2str(result)))"]
        )
    }
}

/// The messages of a ``KafkaConsumer``.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaMessage
    let buffer: MessageBuffer<KafkaMessage>

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer<KafkaMessage>

        public mutating func next() async -> KafkaMessage? {
            await buffer.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}

extension KafkaMessage {
    /// Copies a consumed message out of librdkafka's memory.
    init(copying raw: UnsafeMutablePointer<rd_kafka_message_t>) {
        let message = raw.pointee
        let value: [UInt8] =
            message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []
        let key: [UInt8]? = message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(raw, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var headerValue: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &headerValue, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(
                    KafkaHeader(
                        name: name.map { String(cString: $0) } ?? "",
                        value: headerValue.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                    )
                )
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(raw, &timestampType)
        self.init(
            topic: message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
            partition: message.partition,
            offset: message.offset,
            key: key,
            value: value,
            headers: headers,
            timestamp: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }
}

/// Applies partition assignments and revocations (runs inside `rd_kafka_consumer_poll` on the poll thread).
private let rebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { handle, event, partitions, opaque in
        guard let handle, let opaque else { return }
        let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        let described = describe(partitions)
        let changed = topicPartitions(partitions)
        switch event {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            context.logger.info("partitions assigned", metadata: ["partitions": "\(described)"])
            context.assignment.withLock { cooperative ? $0.formUnion(changed) : ($0 = changed) }
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, partitions)
            }
            // Newly assigned partitions start fetching; while the buffer is full they must wait like the others.
            if context.isFetchPaused.load(ordering: .relaxed), let partitions {
                _ = rd_kafka_pause_partitions(handle, partitions)
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            context.logger.info("partitions revoked", metadata: ["partitions": "\(described)"])
            context.assignment.withLock { cooperative ? $0.subtract(changed) : ($0 = []) }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, nil)
            }
        default:
            context.logger.error("rebalance failed", metadata: ["error": "\(String(cString: rd_kafka_err2str(event)))"])
            context.assignment.withLock { $0 = [] }
            _ = rd_kafka_assign(handle, nil)
        }
    }

/// Logs failed commits (commits are asynchronous).
private let commitCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { _, error, partitions, opaque in
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR, error != RD_KAFKA_RESP_ERR__NO_OFFSET, let opaque else { return }
        let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        context.logger.warning(
            "offset commit failed",
            metadata: ["error": "\(String(cString: rd_kafka_err2str(error)))", "partitions": "\(describe(partitions))"]
        )
    }

private func topicPartitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> Set<KafkaTopicPartition>
{
    guard let list, let elements = list.pointee.elems else { return [] }
    return Set(
        (0..<Int(list.pointee.cnt)).map { index in
            KafkaTopicPartition(topic: String(cString: elements[index].topic), partition: elements[index].partition)
        }
    )
}

private func describe(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> String {
    topicPartitions(list).map(\.description).sorted().joined(separator: ", ")
}
