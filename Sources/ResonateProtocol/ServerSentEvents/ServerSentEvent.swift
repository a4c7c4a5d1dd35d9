// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// One item produced by ``ServerSentEventParser``: a dispatched message, or a comment line.
///
/// A message has ``comment`` `nil`. A comment (a line starting with `:`, such as a `:keep-alive` or a bare `:`) is
/// reported on its own as soon as its line ends, with ``comment`` holding the text after the colon (one leading
/// space removed), ``data`` empty and the other fields `nil`, so that callers can observe keep-alives.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field of the message's block; `nil` when absent or empty (the default type, `message`).
    public var event: String?
    /// The `data:` lines of the block joined with `"\n"`.
    public var data: String
    /// The last event ID at dispatch: the value of the latest `id:` field of the stream, which persists across
    /// messages as in the WHATWG rules; `nil` while the stream has set none (`id:` with no value sets it to `""`).
    public var id: String?
    /// The `retry:` field of the message's block (milliseconds), if it had a valid one.
    public var retry: Int?
    /// The text of a comment line; `nil` for messages.
    public var comment: String?

    /// A message.
    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
        self.comment = nil
    }

    /// A comment line.
    public init(comment: String) {
        self.event = nil
        self.data = ""
        self.id = nil
        self.retry = nil
        self.comment = comment
    }

    /// Whether this is a comment line rather than a message.
    public var isComment: Bool { comment != nil }
}
