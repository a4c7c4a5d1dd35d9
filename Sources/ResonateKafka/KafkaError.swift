// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

package import CRdKafka

/// A failure reported by librdkafka or by the client around it.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's error code (`rd_kafka_resp_err_t`); 0 for failures of this client itself.
    public var code: Int32
    public var message: String

    public init(code: Int32 = 0, message: String) {
        self.code = code
        self.message = message
    }

    package init(_ error: rd_kafka_resp_err_t, context: String) {
        self.init(code: error.rawValue, message: "\(context): \(String(cString: rd_kafka_err2str(error)))")
    }

    public var description: String {
        code == 0 ? message : "\(message) (librdkafka error \(code))"
    }
}
