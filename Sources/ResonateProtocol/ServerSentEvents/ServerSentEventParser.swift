// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// An incremental `text/event-stream` parser following the WHATWG interpretation rules.
///
/// Feed it bytes as they arrive, in chunks of any size; each call returns the items completed by those bytes.
///
/// ```swift
/// var parser = ServerSentEventParser()
/// for event in try parser.feed(chunk) where !event.isComment {
///     let message = try Message(parsing: event.data.utf8)
/// }
/// ```
///
/// - Lines end with `"\n"`, `"\r\n"` or `"\r"`; a `"\r\n"` split across two chunks counts as one line end.
/// - A UTF-8 byte order mark at the very start of the stream is skipped.
/// - `field:value` lines set fields; one space after the colon is removed; a line without a colon is a field with
///   an empty value. `data` appends a line, `event` sets the type, `id` sets the last event ID (ignored if it
///   contains NUL), `retry` sets the reconnection time (ignored unless all ASCII digits); other fields are ignored.
/// - A blank line dispatches the block as a message, but only if it had at least one `data` field (`data:` with
///   no value counts, giving `""`); a block without data — even with `event`, `id` or `retry` — dispatches nothing,
///   though its `id` and `retry` still update ``lastEventID`` and ``reconnectionTime``.
/// - A line starting with `:` is a comment and is returned at once as ``ServerSentEvent/init(comment:)``.
/// - An unterminated last line or block is not dispatched (the stream ended mid-event).
/// - Bytes are decoded as UTF-8, invalid sequences becoming U+FFFD.
public struct ServerSentEventParser: Sendable {
    /// The longest line, and the longest data of one event, that is buffered; default 16 MiB.
    public let maximumLineLength: Int
    /// The stream's last event ID: the value of the latest valid `id:` field, or `nil` if none was seen. Send it as
    /// `Last-Event-ID` when reconnecting (the Resonate server ignores it).
    public private(set) var lastEventID: String?
    /// The latest valid `retry:` value of the stream, in milliseconds, or `nil` if none was seen.
    public private(set) var reconnectionTime: Int?

    private var line: [UInt8] = []
    private var afterCarriageReturn = false
    private var atStreamStart = true
    private var failed = false
    // The block being accumulated.
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: [UInt8] = []
    private var retry: Int?

    /// Creates a parser that refuses lines and event data longer than `maximumLineLength` bytes.
    public init(maximumLineLength: Int = 16 * 1024 * 1024) {
        precondition(maximumLineLength > 0, "maximumLineLength must be positive")
        self.maximumLineLength = maximumLineLength
    }

    /// Consumes the next bytes of the stream and returns the messages and comments they complete, in order.
    ///
    /// - Throws: ``ServerSentEventOverflow`` (carrying the items completed before the overflow) when a line or an
    ///   event's data exceeds ``maximumLineLength``; the parser then throws on every later call.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(ServerSentEventOverflow) -> [ServerSentEvent] {
        guard !failed else { throw ServerSentEventOverflow(limit: maximumLineLength) }
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if afterCarriageReturn {
                    afterCarriageReturn = false
                    continue
                }
                try endLine(&events)
            case UInt8(ascii: "\r"):
                afterCarriageReturn = true
                try endLine(&events)
            default:
                afterCarriageReturn = false
                guard line.count < maximumLineLength else { throw overflow(events) }
                line.append(byte)
            }
        }
        return events
    }

    private mutating func overflow(_ events: [ServerSentEvent]) -> ServerSentEventOverflow {
        failed = true
        line = []
        data = []
        return ServerSentEventOverflow(limit: maximumLineLength, events: events)
    }

    private mutating func endLine(_ events: inout [ServerSentEvent]) throws(ServerSentEventOverflow) {
        defer { line.removeAll(keepingCapacity: line.capacity <= 4096) }
        var start = 0
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        }
        let content = line[start...]
        guard let first = content.first else {
            dispatch(&events)
            return
        }
        let colon = content.firstIndex(of: UInt8(ascii: ":"))
        var valueStart = colon.map { content.index(after: $0) } ?? content.endIndex
        if valueStart < content.endIndex, content[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = content[valueStart...]
        if first == UInt8(ascii: ":") {
            events.append(ServerSentEvent(comment: String(decoding: value, as: UTF8.self)))
            return
        }
        let name = content[..<(colon ?? content.endIndex)]
        if name.elementsEqual("data".utf8) {
            if hasData { data.append(UInt8(ascii: "\n")) }
            hasData = true
            guard data.count + value.count <= maximumLineLength else { throw overflow(events) }
            data.append(contentsOf: value)
        } else if name.elementsEqual("event".utf8) {
            eventType = Array(value)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let milliseconds = Int(String(decoding: value, as: UTF8.self))
            {
                retry = milliseconds
                reconnectionTime = milliseconds
            }
        }
    }

    private mutating func dispatch(_ events: inout [ServerSentEvent]) {
        defer {
            data.removeAll(keepingCapacity: data.capacity <= 4096)
            hasData = false
            eventType = []
            retry = nil
        }
        guard hasData else { return }
        events.append(
            ServerSentEvent(
                event: eventType.isEmpty ? nil : String(decoding: eventType, as: UTF8.self),
                data: String(decoding: data, as: UTF8.self),
                id: lastEventID,
                retry: retry
            )
        )
    }
}
