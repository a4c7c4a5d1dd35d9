// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

@Suite("Message decoding")
struct MessageDecodingTests {
    static let messages: [Message] = [
        .execute(taskID: "wf", version: 0),
        .execute(taskID: "wf:1.2", version: Int64.max),
        .unblock(promise: Sample.resolved),
        .unblock(promise: Sample.timedOut),
    ]

    @Test(
        "messages survive write and decode, with or without a serverUrl", arguments: messages,
        [nil, "http://localhost:8001"])
    func roundTrip(_ message: Message, _ serverURL: String?) throws {
        #expect(try Message(json: json(message.json(serverURL: serverURL))) == message)
        #expect(try Message(parsing: message.json(serverURL: serverURL)) == message)
    }

    @Test("the exact messages of the protocol reference")
    func reference() throws {
        let execute =
            #"{"kind":"execute","head":{"serverUrl":"http://localhost:8001"},"data":{"task":{"id":"wf","version":0}}}"#
        #expect(try Message(parsing: execute.utf8) == .execute(taskID: "wf", version: 0))
        let unblock =
            #"{"kind":"unblock","head":{},"data":{"promise":{"id":"wf","state":"resolved","param":{},"#
            + #""value":{"data":"NDI="},"tags":{},"timeoutAt":9,"createdAt":1,"settledAt":2}},"extra":true}"#
        #expect(
            try Message(parsing: unblock.utf8)
                == .unblock(
                    promise: PromiseRecord(
                        id: "wf", state: .resolved, value: Value(data: "NDI="), timeoutAt: 9, createdAt: 1, settledAt: 2
                    )
                )
        )
    }

    @Test("unknown kinds throw a distinguishable error", arguments: ["notify", "invoke", "resume", ""])
    func unknownKind(_ kind: String) throws {
        let error = try #require(throws: ReplyDecodingError.self) {
            try Message(json: .object(["kind": .string(kind), "data": .object([:])]))
        }
        #expect(error.isUnknownMessageKind)
        #expect(error.reason == .unknownMessageKind)
        #expect(error.field == "kind")
        #expect(error.message == "Unknown message kind '\(kind)' (expected 'execute' or 'unblock')")
    }

    @Test(
        "malformed messages are not mistaken for unknown kinds",
        arguments: [
            ("{", "Invalid message: Unexpected end of JSON input inside an object at byte 1"),
            ("[]", "Invalid message: the message must be an object, got an array"),
            (#"{"data":{}}"#, "Invalid message: missing field 'kind'"),
            (#"{"kind":1}"#, "Invalid message: field 'kind' must be a string, got a number"),
            (#"{"kind":"execute"}"#, "Invalid execute message: missing field 'data'"),
            (
                #"{"kind":"execute","data":{"task":{"version":0}}}"#,
                "Invalid execute message: missing field 'data.task.id'"
            ),
            (
                #"{"kind":"execute","data":{"task":{"id":"t","version":"0"}}}"#,
                "Invalid execute message: field 'data.task.version' must be an integer, got a string"
            ),
            (#"{"kind":"unblock","data":{}}"#, "Invalid unblock message: missing field 'data.promise'"),
            (
                #"{"kind":"unblock","data":{"promise":{"id":"p","state":"pending","timeoutAt":1}}}"#,
                "Invalid unblock message: missing field 'data.promise.createdAt'"
            ),
        ])
    func malformed(_ text: String, _ message: String) throws {
        let error = try #require(throws: ReplyDecodingError.self) { try Message(parsing: text.utf8) }
        #expect(!error.isUnknownMessageKind)
        #expect(error.message == message)
    }
}
