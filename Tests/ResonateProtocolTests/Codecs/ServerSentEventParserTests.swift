// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

@Suite("Server-Sent Events parser")
struct ServerSentEventParserTests {
    /// Feeds `chunks` in order and returns everything they produced.
    static func parse(_ chunks: [String], parser: inout ServerSentEventParser) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += try parser.feed(chunk.utf8) }
        return events
    }

    static func parse(_ chunks: String...) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return try parse(chunks, parser: &parser)
    }

    static let stream =
        "data: {\"kind\":\"execute\",\"head\":{},\"data\":{\"task\":{\"id\":\"wf\",\"version\":0}}}\n\n"
        + ": keep-alive\r\n"
        + "event: update\r\nid: 7\r\nretry: 1500\r\ndata: first\r\ndata:second\r\n\r\n"
        + "data:  two spaces\r\r"
        + "data\n\n"
        + "event: ignored\nid: 8\n\n"
        + "data: é\u{1F600}\ndata\ndata: \n\n"
        + "data: unterminated"

    static let expected: [ServerSentEvent] = [
        ServerSentEvent(data: #"{"kind":"execute","head":{},"data":{"task":{"id":"wf","version":0}}}"#),
        ServerSentEvent(comment: "keep-alive"),
        ServerSentEvent(event: "update", data: "first\nsecond", id: "7", retry: 1500),
        ServerSentEvent(data: " two spaces", id: "7"),
        ServerSentEvent(data: "", id: "7"),
        ServerSentEvent(data: "é\u{1F600}\n\n", id: "8"),
    ]

    @Test("a stream gives the same events however it is split", arguments: [1, 2, 3, 5, 7, 64, Int.max])
    func chunking(_ size: Int) throws {
        let bytes = Array(Self.stream.utf8)
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        var start = 0
        while start < bytes.count {
            let end = start + min(size, bytes.count - start)
            events += try parser.feed(bytes[start..<end])
            start = end
        }
        #expect(events == Self.expected)
        #expect(parser.lastEventID == "8")
        #expect(parser.reconnectionTime == 1500)
    }

    @Test("the three line endings", arguments: ["\n", "\r\n", "\r"])
    func lineEndings(_ end: String) throws {
        let events = try Self.parse("data: a\(end)data: b\(end)\(end)data: c\(end)\(end)")
        #expect(events == [ServerSentEvent(data: "a\nb"), ServerSentEvent(data: "c")])
    }

    @Test("a CRLF split across two feeds is one line end")
    func splitCRLF() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed("data: a\r".utf8) == [])
        #expect(try parser.feed("\ndata: b\r".utf8) == [])
        #expect(try parser.feed("\n".utf8) == [])
        #expect(try parser.feed("\r".utf8) == [ServerSentEvent(data: "a\nb")])
        #expect(try parser.feed("\n".utf8) == [], "the LF completes the CR's line end, it is not another blank line")
        #expect(try parser.feed("data: c\n\n".utf8) == [ServerSentEvent(data: "c")])
    }

    @Test("CR then a blank CR line dispatches; CR CR LF is two line ends")
    func carriageReturns() throws {
        #expect(try Self.parse("data: a\r\r") == [ServerSentEvent(data: "a")])
        #expect(
            try Self.parse("data: a\r", "\r", "\n", "data: b\n\n") == [
                ServerSentEvent(data: "a"), ServerSentEvent(data: "b"),
            ])
    }

    @Test("one leading space is removed from values, no more")
    func leadingSpace() throws {
        #expect(try Self.parse("data:x\n\n") == [ServerSentEvent(data: "x")])
        #expect(try Self.parse("data: x\n\n") == [ServerSentEvent(data: "x")])
        #expect(try Self.parse("data:  x \n\n") == [ServerSentEvent(data: " x ")])
        #expect(try Self.parse("data:\tx\n\n") == [ServerSentEvent(data: "\tx")])
    }

    @Test("a line without a colon is a field with an empty value")
    func fieldWithoutColon() throws {
        #expect(try Self.parse("data\n\n") == [ServerSentEvent(data: "")])
        #expect(try Self.parse("data\ndata\n\n") == [ServerSentEvent(data: "\n")])
        #expect(try Self.parse("event\ndata: x\n\n") == [ServerSentEvent(data: "x")])
        #expect(try Self.parse("data : x\n\n") == [], "'data ' is another field name")
    }

    @Test("comments are reported at once, one per line")
    func comments() throws {
        var parser = ServerSentEventParser()
        #expect(
            try parser.feed(":\n: ping\n:: x\n:  two\n".utf8) == [
                ServerSentEvent(comment: ""), ServerSentEvent(comment: "ping"), ServerSentEvent(comment: ": x"),
                ServerSentEvent(comment: " two"),
            ])
        let mixed = try parser.feed("data: a\n: in the middle\ndata: b\n\n".utf8)
        #expect(mixed == [ServerSentEvent(comment: "in the middle"), ServerSentEvent(data: "a\nb")])
        #expect(mixed.map(\.isComment) == [true, false])
    }

    @Test("blocks without data dispatch nothing but still set the id and the reconnection time")
    func blocksWithoutData() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed("event: x\n\n\n\nid: 5\nretry: 300\n\nunknown: y\n\n".utf8) == [])
        #expect(parser.lastEventID == "5")
        #expect(parser.reconnectionTime == 300)
        #expect(try parser.feed("data: d\n\n".utf8) == [ServerSentEvent(data: "d", id: "5")])
    }

    @Test("the event type does not leak into the next block; an empty type is the default")
    func eventTypeResets() throws {
        let events = try Self.parse("event: a\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\nevent: b\n\ndata: 4\n\n")
        #expect(events.map(\.event) == ["a", nil, nil, nil])
    }

    @Test("id: persists, can be emptied, and is ignored when it contains NUL")
    func ids() throws {
        let events = try Self.parse("id: 1\ndata: a\n\ndata: b\n\nid: 2\u{0}\ndata: c\n\nid\ndata: d\n\n")
        #expect(events.map(\.id) == ["1", "1", "1", ""])
    }

    @Test(
        "retry: only ASCII digits count, and it is reported on its own block only",
        arguments: [
            ("retry: 2500", 2500), ("retry: 0", 0), ("retry: -1", nil), ("retry: 1.5", nil), ("retry: ", nil),
            ("retry: 12a", nil), ("retry: ٣", nil), ("retry: 99999999999999999999999", nil),
        ])
    func retry(_ line: String, _ expected: Int?) throws {
        var parser = ServerSentEventParser()
        let events = try parser.feed("\(line)\ndata: x\n\ndata: y\n\n".utf8)
        #expect(events.map(\.retry) == [expected, nil])
        #expect(parser.reconnectionTime == expected)
    }

    @Test("a byte order mark is skipped at the start of the stream only, even when split")
    func byteOrderMark() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed([0xEF]) == [])
        #expect(try parser.feed([0xBB, 0xBF]) == [])
        #expect(try parser.feed("data: a\n\n".utf8) == [ServerSentEvent(data: "a")])
        #expect(
            try parser.feed([0xEF, 0xBB, 0xBF] + Array("data: b\n\ndata: c\n\n".utf8)) == [ServerSentEvent(data: "c")])
    }

    @Test("an unterminated block is not dispatched")
    func unterminated() throws {
        #expect(try Self.parse("data: a\n") == [])
        #expect(try Self.parse("data: a") == [])
    }

    @Test("invalid UTF-8 becomes U+FFFD")
    func invalidUTF8() throws {
        var parser = ServerSentEventParser()
        #expect(
            try parser.feed(Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8)) == [
                ServerSentEvent(data: "a\u{FFFD}b")
            ])
    }

    @Test("a line longer than the limit throws, keeping the events before it; the parser stays failed")
    func lineOverflow() throws {
        var parser = ServerSentEventParser(maximumLineLength: 16)
        #expect(try parser.feed("data: 0123456789\n\n".utf8) == [ServerSentEvent(data: "0123456789")])
        let error = try #require(throws: ServerSentEventOverflow.self) {
            try parser.feed("data: ok\n\n: fine\ndata: 01234567890\n\n".utf8)
        }
        #expect(error.limit == 16)
        #expect(error.events == [ServerSentEvent(data: "ok"), ServerSentEvent(comment: "fine")])
        #expect(error.description == "Server-Sent Events line or event data longer than 16 bytes")
        let again = try #require(throws: ServerSentEventOverflow.self) { try parser.feed("data: x\n\n".utf8) }
        #expect(again.events == [])
    }

    @Test("event data longer than the limit throws even when every line is short")
    func dataOverflow() throws {
        var parser = ServerSentEventParser(maximumLineLength: 16)
        #expect(
            try parser.feed("data: 0123456\ndata: 01234567\n\n".utf8) == [ServerSentEvent(data: "0123456\n01234567")])
        #expect(throws: ServerSentEventOverflow.self) { try parser.feed("data: 0123456\ndata: 012345678\n\n".utf8) }
    }

    @Test("the default limit is 16 MiB, and a long line within it is fine")
    func defaultLimit() throws {
        var parser = ServerSentEventParser()
        #expect(parser.maximumLineLength == 16 * 1024 * 1024)
        let long = String(repeating: "x", count: 1 << 20)
        #expect(try parser.feed("data: \(long)\n\n".utf8).first?.data.utf8.count == 1 << 20)
    }

    @Test("events from a Resonate server decode as messages")
    func resonateMessages() throws {
        let unblock = Message.unblock(promise: Sample.resolved)
        let execute = Message.execute(taskID: "wf", version: 3)
        var stream: [UInt8] = []
        for message in [execute, unblock] {
            stream += Array("data: ".utf8) + message.json(serverURL: "http://localhost:8001") + Array("\n\n".utf8)
        }
        var parser = ServerSentEventParser()
        let events = try parser.feed(stream)
        #expect(try events.map { try Message(parsing: $0.data.utf8) } == [execute, unblock])
    }
}
