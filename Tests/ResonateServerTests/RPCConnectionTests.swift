// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import ResonateServer
import ResonateTestSupport
import Testing

/// `POST /` is served from the channel pipeline (`RPCChannelHandler`); the connection still behaves as HTTP/1.1
/// requires.
@Suite("RPC connections", .timeLimit(.minutes(2)))
struct RPCConnectionTests {
    static func post(_ body: String, close: Bool = false) -> String {
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static func rpc(_ kind: String, _ corrID: String, _ data: String) -> String {
        #"{"kind":"\#(kind)","head":{"corrId":"\#(corrID)","version":"2026-04-01"},"data":\#(data)}"#
    }

    static let health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    static func corrID(_ body: String) throws -> String? {
        try JSONParser().parse(body)["head"]?["corrId"]?.stringValue
    }

    @Test("pipelined requests, some served in the pipeline and some by Hummingbird, are answered in order")
    func pipelinedInOrder() async throws {
        try await LiveServer.with { server in
            let create = Self.rpc("promise.create", "c1", #"{"id":"p","timeoutAt":\#(LiveServer.now + 600_000)}"#)
            let requests =
                Self.post(create) + Self.health + Self.post(Self.rpc("promise.get", "c3", #"{"id":"p"}"#))
                + Self.post(Self.rpc("promise.get", "c4", #"{"id":"missing"}"#))
                // Served by the Hummingbird route: the connection closes after it.
                + Self.post(Self.rpc("promise.get", "c5", #"{"id":"p"}"#), close: true)
            let responses = RawHTTP.responses(try await RawHTTP.exchange(port: server.port, requests))
            #expect(responses.map(\.status) == [200, 200, 200, 404, 200])
            #expect(
                try responses.map { $0.body.isEmpty ? nil : try Self.corrID($0.body) } == ["c1", nil, "c3", "c4", "c5"])
        }
    }

    @Test("a body over the limit gets 413 and the connection goes on serving")
    func oversizedThenNext() async throws {
        try await LiveServer.with(server: { $0.maximumBodySize = 1024 }) { server in
            let big = Self.rpc(
                "promise.create", "big",
                #"{"id":"big","timeoutAt":1,"param":{"data":"\#(String(repeating: "a", count: 4096))"}}"#)
            let requests =
                Self.post(big) + Self.post(Self.rpc("promise.get", "after", #"{"id":"big"}"#), close: true)
            let responses = RawHTTP.responses(try await RawHTTP.exchange(port: server.port, requests))
            #expect(responses.map(\.status) == [413, 404])
            #expect(responses.first?.body.contains("exceeds the limit of 1024 bytes") == true)
            #expect(try Self.corrID(responses[1].body) == "after")
        }
    }

    @Test("an HTTP/1.0 client that asks to keep the connection gets an answer saying so, and the connection stays")
    func http10KeepAlive() async throws {
        try await LiveServer.with { server in
            let body = Self.rpc("promise.get", "old", #"{"id":"none"}"#)
            let requests =
                "POST / HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            let text = try await RawHTTP.exchange(port: server.port, requests)
            let head = text.prefix { $0 != "{" }.lowercased()
            #expect(head.hasPrefix("http/1.0 404"))
            #expect(head.contains("connection: keep-alive"))
            #expect(RawHTTP.responses(text).map(\.status) == [404, 200])
        }
    }

    @Test("a body that arrives over many reads is stored whole")
    func largeBody() async throws {
        try await LiveServer.with { server in
            let data = String(repeating: "QUFB", count: 500_000)
            let create = #"{"id":"big","timeoutAt":\#(LiveServer.now + 600_000),"param":{"data":"\#(data)"}}"#
            #expect(try await server.rpc("promise.create", create).status == 200)
            let promise = try await server.rpc("promise.get", #"{"id":"big"}"#).data["promise"]
            #expect(promise?["param"]?["data"]?.stringValue == data)
        }
    }

    /// Far more than one read holds: the connection stops reading while each answer is made, holds what it already
    /// read, and must still answer every request once, in order.
    @Test("2,000 requests pipelined on one connection are each answered once, in order")
    func manyPipelined() async throws {
        try await LiveServer.with { server in
            let count = 2000
            let timeoutAt = LiveServer.now + 600_000
            var requests = ""
            for index in 0..<count {
                let create = Self.rpc("promise.create", "c\(index)", #"{"id":"p\#(index)","timeoutAt":\#(timeoutAt)}"#)
                requests += Self.post(create, close: index == count - 1)
            }
            let responses = RawHTTP.responses(try await RawHTTP.exchange(port: server.port, requests))
            #expect(responses.count == count)
            #expect(responses.allSatisfy { $0.status == 200 })
            #expect(try responses.map { try Self.corrID($0.body) } == (0..<count).map { "c\($0)" })
        }
    }
}
