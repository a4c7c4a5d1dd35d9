// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

/// A response body that must not decode, and the message that must say why.
struct BadEnvelope: Sendable, CustomTestStringConvertible {
    var body: String
    var reason: ReplyDecodingError.Reason
    var field: String?
    var message: String

    init(_ body: String, _ reason: ReplyDecodingError.Reason = .invalidField, field: String?, _ message: String) {
        self.body = body
        self.reason = reason
        self.field = field
        self.message = message
    }

    var testDescription: String { body.debugDescription }
}

@Suite("Response envelope decoding")
struct ResponseEnvelopeDecodingTests {
    static let badEnvelopes: [BadEnvelope] = [
        BadEnvelope(
            "", .malformedJSON, field: nil, "Invalid response envelope: Unexpected end of JSON input at byte 0"),
        BadEnvelope(
            #"{"kind":"promise.get""#, .malformedJSON, field: nil,
            "Invalid response envelope: Unexpected end of JSON input inside an object at byte 21"
        ),
        BadEnvelope(
            "[]", field: nil, "Invalid response envelope: the response envelope must be an object, got an array"),
        BadEnvelope(#"{"head":{},"data":{}}"#, field: "kind", "Invalid response envelope: missing field 'kind'"),
        BadEnvelope(
            #"{"kind":7,"head":{},"data":{}}"#, field: "kind",
            "Invalid response envelope: field 'kind' must be a string, got a number"
        ),
        BadEnvelope(
            #"{"kind":"promise.get","data":{}}"#, field: "head", "Invalid response envelope: missing field 'head'"),
        BadEnvelope(
            #"{"kind":"promise.get","head":"h","data":{}}"#, field: "head",
            "Invalid response envelope: field 'head' must be an object, got a string"
        ),
        BadEnvelope(
            #"{"kind":"promise.get","head":{"status":200},"data":{}}"#, field: "head.corrId",
            "Invalid response envelope: missing field 'head.corrId'"
        ),
        BadEnvelope(
            #"{"kind":"promise.get","head":{"corrId":1,"status":200},"data":{}}"#, field: "head.corrId",
            "Invalid response envelope: field 'head.corrId' must be a string, got a number"
        ),
        BadEnvelope(
            #"{"kind":"promise.get","head":{"corrId":"c"},"data":{}}"#, field: "head.status",
            "Invalid response envelope: missing field 'head.status'"
        ),
        BadEnvelope(
            #"{"kind":"promise.get","head":{"corrId":"c","status":"200"},"data":{}}"#, field: "head.status",
            "Invalid response envelope: field 'head.status' must be an integer, got a string"
        ),
        BadEnvelope(
            #"{"kind":"promise.get","head":{"corrId":"c","status":200.5},"data":{}}"#, field: "head.status",
            "Invalid response envelope: field 'head.status' must be an integer, got a number with a fraction or out "
                + "of range"
        ),
        BadEnvelope(
            #"{"kind":"promise.get","head":{"corrId":"c","status":200}}"#, field: "data",
            "Invalid response envelope: missing field 'data'"
        ),
    ]

    @Test("malformed envelopes are reported precisely", arguments: badEnvelopes)
    func malformed(_ bad: BadEnvelope) throws {
        let error = try #require(throws: ReplyDecodingError.self) { try ResponseEnvelope.decode(Array(bad.body.utf8)) }
        #expect(error.message == bad.message)
        #expect(error.reason == bad.reason)
        #expect(error.field == bad.field)
    }

    @Test("version and unknown members are not checked; data may be null")
    func lenientHead() throws {
        let body =
            #"{"kind":"task.release","head":{"corrId":"c","status":200,"version":"2099-01-01","x":1},"#
            + #""data":null,"y":2}"#
        let response = try ResponseEnvelope.decode(Array(body.utf8))
        #expect(response.kind == "task.release")
        #expect(response.correlationID == "c")
        #expect(response.status == 200)
        #expect(response.data == .null)
        #expect(try response.reply(to: .taskRelease(id: "t", version: 1), correlationID: "c") == .ok(.empty))
    }

    @Test("a response is matched to its request by kind and corrId")
    func matching() throws {
        let bytes = ResponseEnvelope.encode(
            kind: "promise.get", correlationID: "sr-1", reply: .ok(.promise(Sample.pending)))
        let reply = try ResponseEnvelope.decode(bytes, replyingTo: .promiseGet(id: "wf"), correlationID: "sr-1")
        #expect(reply == .ok(.promise(Sample.pending)))

        let wrongKind = try #require(throws: ReplyDecodingError.self) {
            try ResponseEnvelope.decode(bytes, replyingTo: .taskGet(id: "wf"), correlationID: "sr-1")
        }
        #expect(wrongKind.reason == .mismatchedResponse)
        #expect(wrongKind.field == "kind")
        #expect(wrongKind.message == "Response kind 'promise.get' does not match the request kind 'task.get'")

        let wrongID = try #require(throws: ReplyDecodingError.self) {
            try ResponseEnvelope.decode(bytes, replyingTo: .promiseGet(id: "wf"), correlationID: "sr-2")
        }
        #expect(wrongID.reason == .mismatchedResponse)
        #expect(wrongID.field == "head.corrId")
        #expect(wrongID.message == "Response corrId 'sr-1' does not match the request corrId 'sr-2'")
    }

    @Test("the server's unattributed error envelopes still reach the caller as errors")
    func unattributedErrors() throws {
        let crashed = ResponseEnvelope.encode(
            kind: "unknown", correlationID: "0", reply: Reply(status: 500, payload: .error("Internal error")))
        #expect(
            try ResponseEnvelope.decode(crashed, replyingTo: .promiseGet(id: "p"), correlationID: "sr-3")
                == Reply(status: 500, payload: .error("Internal error"))
        )
        let unreadable = ResponseEnvelope.encode(
            kind: "unknown", correlationID: "sr-3", reply: Reply(.badRequest("Invalid request envelope: x")))
        #expect(try ResponseEnvelope.decode(unreadable, replyingTo: .debugSnap, correlationID: "sr-3").status == 400)
        let otherRequest = ResponseEnvelope.encode(
            kind: "unknown", correlationID: "sr-4", reply: Reply(.badRequest("x")))
        #expect(throws: ReplyDecodingError.self) {
            try ResponseEnvelope.decode(otherRequest, replyingTo: .debugSnap, correlationID: "sr-3")
        }
        let successForUnknown = ResponseEnvelope.encode(kind: "unknown", correlationID: "0", reply: .ok(.empty))
        #expect(throws: ReplyDecodingError.self) {
            try ResponseEnvelope.decode(successForUnknown, replyingTo: .debugStart, correlationID: "0")
        }
    }

    @Test("a whole exchange: our request bytes, the server's parser, the server's reply, our decoder")
    func exchange() throws {
        let request = Request.taskFence(
            TaskFence(id: "wf", version: 1, action: .create(PromiseCreate(id: "wf:1", timeoutAt: 10)))
        )
        let envelope = try RequestEnvelope.parse(request.envelope(correlationID: "sr-5", auth: "jwt")).get()
        #expect(try Request(kind: envelope.kind, data: envelope.data) == request)
        let outcome = FenceOutcome(
            kind: .promiseCreate, status: 200, promise: Sample.pending, preload: [Sample.resolved])
        let bytes = ResponseEnvelope.encode(
            kind: envelope.kind, correlationID: envelope.correlationID, reply: .ok(.fenced(outcome)))
        #expect(try ResponseEnvelope.decode(bytes, replyingTo: request, correlationID: "sr-5") == .ok(.fenced(outcome)))
    }
}
