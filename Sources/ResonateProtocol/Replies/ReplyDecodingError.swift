// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Why a response, record or message received from a server could not be decoded.
///
/// The ``message`` names the offending field by its path and says what was expected, for example
/// `Invalid task.acquire response: field 'data.task.version' must be an integer, got a string`.
public struct ReplyDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad category of the problem, for callers that react differently to each.
    public enum Reason: Sendable, Hashable {
        /// The bytes are not one well-formed JSON document.
        case malformedJSON
        /// A field is missing, has the wrong JSON type, or holds a value outside its set of allowed values.
        case invalidField
        /// The status is not one the operation can answer with (for example 300 for anything but `task.suspend`).
        case unexpectedStatus
        /// The response's `kind` or `head.corrId` is not the request's.
        case mismatchedResponse
        /// A message whose `kind` is neither `execute` nor `unblock`; SDKs ignore such messages.
        case unknownMessageKind
    }

    /// The broad category of the problem.
    public var reason: Reason
    /// The path of the offending field (`head.status`, `data.preload[2].state`, …), or `nil` when the problem is
    /// not about one field.
    public var field: String?
    /// A human-readable explanation, naming the field and what was expected.
    public var message: String

    /// Creates an error; ``field`` is informational and is not repeated into the message.
    public init(reason: Reason, field: String? = nil, message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    /// Whether the error is a message of a kind this package does not know, which an SDK should ignore.
    public var isUnknownMessageKind: Bool { reason == .unknownMessageKind }

    /// The ``message``.
    public var description: String { message }
}
