// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateKafka
import ResonateProtocol

/// What a message of `records_to_be_deleted` asks for, or why it cannot be understood.
enum DeletionRequest: Equatable {
    /// Delete the record with this id. The value was a JSON string, or an array whose first element is one.
    case delete(recordID: String)
    /// Stop deleting the record with this id: the value was `{"cancel": "<id>"}`.
    case cancel(recordID: String)
    /// The value is not JSON at all.
    case unparsable(reason: String)
    /// The value is JSON of another shape (or an empty id).
    case unexpectedShape

    init(_ message: KafkaMessage) {
        self.init(value: message.value)
    }

    init(value: [UInt8]) {
        guard !value.isEmpty else {
            self = .unparsable(reason: "the message is empty")
            return
        }
        let json: JSONValue
        do {
            json = try JSONParser().parse(value)
        } catch {
            self = .unparsable(reason: "the value is not JSON")
            return
        }
        switch json {
        case .string(let id) where !id.isEmpty:
            self = .delete(recordID: id)
        case .object(let object):
            if object.count == 1, let id = object["cancel"]?.stringValue, !id.isEmpty {
                self = .cancel(recordID: id)
            } else {
                self = .unexpectedShape
            }
        case .array(let array):
            if let id = array.first?.stringValue, !id.isEmpty {
                self = .delete(recordID: id)
            } else {
                self = .unexpectedShape
            }
        default:
            self = .unexpectedShape
        }
    }
}
