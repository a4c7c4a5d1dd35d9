// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import CRdKafka
package import Logging
import Synchronization

/// Owns one `rd_kafka_t` and the context its callbacks use. No C type leaves this module's internals.
///
/// `@unchecked Sendable`: librdkafka handles are thread-safe; `destroy()` runs once, on the poll thread, after
/// everything else stopped using the handle.
package final class RDKafkaHandle: @unchecked Sendable {
    package let pointer: OpaquePointer
    let context: ClientContext
    private let retainedContext: Unmanaged<ClientContext>
    private let destroyed = Atomic<Bool>(false)

    package enum Kind {
        case producer
        case consumer
    }

    /// Creates a client from librdkafka properties.
    ///
    /// - Parameter configure: installs callbacks on the configuration before the client is created.
    package init(
        kind: Kind,
        properties: [String: String],
        logger: Logger,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let configuration = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(configuration, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(configuration)
                throw KafkaError(message: "invalid Kafka setting \(name)=\(value): \(Self.text(errorText))")
            }
        }
        let context = ClientContext(logger: logger)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(configuration, retained.toOpaque())
        rd_kafka_conf_set_log_cb(configuration, logCallback)
        configure(configuration)
        guard
            let pointer = rd_kafka_new(
                kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER,
                configuration,
                &errorText,
                errorText.count
            )
        else {
            // rd_kafka_new takes the configuration only on success.
            rd_kafka_conf_destroy(configuration)
            retained.release()
            throw KafkaError(message: "cannot create a Kafka client: \(Self.text(errorText))")
        }
        self.pointer = pointer
        self.context = context
        self.retainedContext = retained
    }

    /// Destroys the client (idempotent). Blocks: call it from a poll thread.
    func destroy() {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        rd_kafka_destroy(pointer)
        retainedContext.release()
    }

    deinit {
        destroy()
    }

    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The librdkafka version in use, e.g. `2.8.0`.
    package static var version: String { String(cString: rd_kafka_version_str()) }
}

/// Routes librdkafka's log lines to swift-log.
private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void =
    { handle, level, facility, message in
        guard let handle, let opaque = rd_kafka_opaque(handle), let message else { return }
        let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        let text = String(cString: message)
        let metadata: Logger.Metadata = ["facility": "\(facility.map { String(cString: $0) } ?? "")"]
        switch level {
        case ...3: context.logger.error("\(text)", metadata: metadata)
        case 4: context.logger.warning("\(text)", metadata: metadata)
        case 5: context.logger.notice("\(text)", metadata: metadata)
        case 6: context.logger.info("\(text)", metadata: metadata)
        default: context.logger.debug("\(text)", metadata: metadata)
        }
    }
