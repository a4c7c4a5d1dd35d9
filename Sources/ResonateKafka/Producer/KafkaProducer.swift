// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CRdKafka
public import Logging
public import ServiceLifecycle

/// Sends messages and reports where they were stored.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(
///     client: KafkaClientConfiguration(bootstrapServers: ["localhost:9092"])))
/// // run it as a Service (it polls delivery reports), then:
/// let report = try await producer.send(KafkaProducerMessage(topic: "events", key: "id-1", value: "{}"))
/// ```
///
/// Idempotent by default: the broker drops duplicates caused by retries, and messages to one partition keep their
/// order. `send` returns once the broker acknowledged the message (all in-sync replicas). The producer must be
/// running (``run()``) for sends to complete; graceful shutdown waits for messages in flight, up to
/// ``KafkaProducerConfiguration/flushTimeout``.
public final class KafkaProducer: Service, Sendable {
    private let handle: RDKafkaHandle
    private let configuration: KafkaProducerConfiguration
    private let logger: Logger

    public init(
        configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "resonate.kafka.producer")
    )
        throws(KafkaError)
    {
        self.configuration = configuration
        self.logger = logger
        handle = try RDKafkaHandle(kind: .producer, properties: configuration.librdkafkaProperties, logger: logger) {
            rd_kafka_conf_set_dr_msg_cb($0, deliveryCallback)
        }
    }

    /// Sends `message` and waits for the broker's acknowledgement.
    ///
    /// - Throws: ``KafkaError`` when the message cannot be queued, delivery fails or times out, or the producer
    ///   is closed.
    @discardableResult
    public func send(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<KafkaDeliveryReport, any Error>) in
            guard let id = handle.context.registerDelivery(continuation) else {
                continuation.resume(throwing: KafkaError(message: "the producer is closed"))
                return
            }
            let result = produce(message, id: id)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR, let waiting = handle.context.takeDelivery(id) {
                waiting.resume(throwing: KafkaError(result, context: "cannot send to \(message.topic)"))
            }
        }
    }

    private func produce(_ message: KafkaProducerMessage, id: UInt) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.name, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    _ = rd_kafka_header_add(headers, header.name, -1, nil, 0)
                }
            }
        }
        let result = message.value.withUnsafeBytes { value in
            withKey(message.key) { key, keyLength in
                resonate_rd_kafka_produce(
                    handle.pointer,
                    message.topic,
                    message.partition ?? RD_KAFKA_PARTITION_UA,
                    value.baseAddress,
                    value.count,
                    key,
                    keyLength,
                    headers,
                    UnsafeMutableRawPointer(bitPattern: id)
                )
            }
        }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
            rd_kafka_headers_destroy(headers)
        }
        return result
    }

    private func withKey<T>(_ key: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> T) -> T {
        guard let key else { return body(nil, 0) }
        return key.withUnsafeBytes { body($0.baseAddress, $0.count) }
    }

    /// Polls delivery reports until graceful shutdown or cancellation, then flushes and closes.
    public func run() async throws {
        let handle = self.handle
        let flushMilliseconds = Int32(clamping: KafkaConsumerConfiguration.milliseconds(configuration.flushTimeout))
        let thread = PollThread(name: "resonate-kafka-producer") { thread in
            while !thread.shouldStop {
                rd_kafka_poll(handle.pointer, 100)
            }
            let flushed = rd_kafka_flush(handle.pointer, flushMilliseconds)
            if flushed != RD_KAFKA_RESP_ERR_NO_ERROR {
                handle.context.logger.warning(
                    "messages still in flight at shutdown were not delivered",
                    metadata: ["count": "\(rd_kafka_outq_len(handle.pointer))"]
                )
            }
            handle.context.closeDeliveries(with: KafkaError(message: "the producer closed before delivery"))
            handle.destroy()
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await thread.waitUntilFinished()
            } onCancel: {
                thread.stop()
            }
        } onGracefulShutdown: {
            thread.stop()
        }
    }
}

/// Completes the `send` a delivery report belongs to (runs on the producer's poll thread).
private let deliveryCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _,
        message,
        opaque in
        guard let message, let opaque else { return }
        let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        let id = UInt(bitPattern: message.pointee._private)
        guard let continuation = context.takeDelivery(id) else { return }
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            continuation.resume(
                returning: KafkaDeliveryReport(
                    topic: topic,
                    partition: message.pointee.partition,
                    offset: message.pointee.offset
                )
            )
        } else {
            continuation.resume(throwing: KafkaError(message.pointee.err, context: "delivery to \(topic) failed"))
        }
    }
