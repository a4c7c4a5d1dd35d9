// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A Server-Sent Events stream sent a line, or an event's data, longer than the parser's limit.
///
/// The parser stops at that point rather than buffering without bound; it throws this error again on every later
/// call, so the caller should close the connection and reconnect with a new parser.
public struct ServerSentEventOverflow: Error, Sendable, Hashable, CustomStringConvertible {
    /// The limit that was exceeded, in bytes.
    public var limit: Int
    /// The items completed earlier in the same ``ServerSentEventParser/feed(_:)`` call, in order; deliver them
    /// before reacting to the error, as they were complete and valid.
    public var events: [ServerSentEvent]

    /// Creates the error for `limit`, carrying the `events` completed before it was exceeded.
    public init(limit: Int, events: [ServerSentEvent] = []) {
        self.limit = limit
        self.events = events
    }

    /// A one-line explanation naming the limit.
    public var description: String {
        "Server-Sent Events line or event data longer than \(limit) bytes"
    }
}
