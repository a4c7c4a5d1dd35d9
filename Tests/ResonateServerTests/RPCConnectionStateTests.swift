// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import Testing

@testable import ResonateServer

/// The decisions of the pipeline's `POST /` handler, one connection's request parts at a time.
@Suite("RPC connection state")
struct RPCConnectionStateTests {
    static let limit = 16

    static func head(_ method: HTTPMethod, _ uri: String, close: Bool = false, length: Int? = nil) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        if close { headers.add(name: "connection", value: "close") }
        if let length { headers.add(name: "content-length", value: String(length)) }
        return HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
    }

    static func body(_ text: String) -> HTTPServerRequestPart { .body(ByteBuffer(string: text)) }

    /// Which requests are served in the pipeline and which go to Hummingbird, on a fresh connection.
    @Test(
        "a request on a fresh connection is served here only if it is a keep-alive POST /",
        arguments: [
            (head(.POST, "/"), true),
            (head(.POST, "/", close: true), false),
            (head(.GET, "/"), false),
            (head(.POST, "/poll/g/p"), false),
            (head(.GET, "/health"), false),
            (head(.PUT, "/"), false),
        ])
    func servedHere(head: HTTPRequestHead, servedHere: Bool) {
        var state = RPCConnectionState()
        let action = state.received(.head(head), maximumBodySize: Self.limit)
        #expect(action == (servedHere ? .none : .forward(.head(head))))
    }

    @Test("the body is collected and answered at the end of the request")
    func collected() {
        var state = RPCConnectionState()
        let head = Self.head(.POST, "/")
        #expect(state.received(.head(head), maximumBodySize: Self.limit) == .none)
        #expect(state.received(Self.body("{\"a\":"), maximumBodySize: Self.limit) == .none)
        #expect(state.received(Self.body("1}"), maximumBodySize: Self.limit) == .none)
        #expect(
            state.received(.end(nil), maximumBodySize: Self.limit)
                == .respond(head, body: ByteBuffer(string: "{\"a\":1}")))
    }

    @Test(
        "a body over the limit is dropped, whether announced or found while reading",
        arguments: [(length: Int?.some(17), chunks: ["x"]), (length: nil, chunks: ["0123456789", "0123456789"])])
    func overTheLimit(length: Int?, chunks: [String]) {
        var state = RPCConnectionState()
        let head = Self.head(.POST, "/", length: length)
        _ = state.received(.head(head), maximumBodySize: Self.limit)
        for chunk in chunks { #expect(state.received(Self.body(chunk), maximumBodySize: Self.limit) == .none) }
        #expect(state.received(.end(nil), maximumBodySize: Self.limit) == .respond(head, body: nil))
    }

    @Test("behind a request Hummingbird has not answered yet, POST / goes to Hummingbird too, until that answer ends")
    func behindForwarded() {
        var state = RPCConnectionState()
        let health = Self.head(.GET, "/health")
        let post = Self.head(.POST, "/")
        #expect(state.received(.head(health), maximumBodySize: Self.limit) == .forward(.head(health)))
        #expect(state.received(.end(nil), maximumBodySize: Self.limit) == .forward(.end(nil)))
        #expect(state.received(.head(post), maximumBodySize: Self.limit) == .forward(.head(post)))
        #expect(state.received(.end(nil), maximumBodySize: Self.limit) == .forward(.end(nil)))
        state.forwardedResponseEnded()
        state.forwardedResponseEnded()
        #expect(state.received(.head(post), maximumBodySize: Self.limit) == .none)
    }

    @Test("while a response is made, parts are held, reads and quiesce wait, and all come back in order after it")
    func heldWhileResponding() {
        var state = RPCConnectionState()
        let post = Self.head(.POST, "/")
        let health = Self.head(.GET, "/health")
        _ = state.received(.head(post), maximumBodySize: Self.limit)
        let quiesceDeferred = state.deferQuiesce()
        #expect(quiesceDeferred)
        _ = state.received(.end(nil), maximumBodySize: Self.limit)
        #expect(state.received(.head(health), maximumBodySize: Self.limit) == .none)
        #expect(state.received(.end(nil), maximumBodySize: Self.limit) == .none)
        #expect(state.shouldRead() == false)
        let resumed = state.responded()
        #expect(resumed.heldParts == [.head(health), .end(nil)])
        #expect(resumed.read)
        #expect(resumed.quiesce)
        let readsNow = state.shouldRead()
        let quiesceNow = !state.deferQuiesce()
        #expect(readsNow)
        #expect(quiesceNow)
        #expect(state.responded().heldParts.isEmpty)
    }
}
