// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOHTTP1
import ResonateEngine
import ResonateProtocol
import ResonateServer
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

@Suite("Message delivery", .timeLimit(.minutes(2)))
struct DeliveryTests {
    static func createTarget(_ server: LiveServer, id: String, target: String) async throws {
        let (status, _) = try await server.rpc(
            "promise.create",
            #"{"id":"\#(id)","timeoutAt":\#(LiveServer.now + 600_000),"tags":{"resonate:target":"\#(target)"}}"#
        )
        #expect(status == 200)
    }

    @Test("an execute reaches the SSE stream of the target group with the server URL")
    func executeOverSSE() async throws {
        try await LiveServer.with { server in
            try await EventStream.with(server, group: "workers", process: "p1") { stream in
                try await Self.createTarget(server, id: "job", target: "poll://any@workers")
                let message = try await stream.nextMessage()
                #expect(message["kind"] == .string("execute"))
                #expect(message["data"]?["task"]?["id"] == .string("job"))
                #expect(message["data"]?["task"]?["version"] == .integer(0))
                #expect(message["head"]?["serverUrl"] == .string(server.baseURL))
            }
        }
    }

    @Test("group names match case-insensitively")
    func caseInsensitiveGroups() async throws {
        try await LiveServer.with { server in
            try await EventStream.with(server, group: "Workers", process: "p1") { stream in
                try await Self.createTarget(server, id: "job", target: "poll://any@workers")
                let received = try await stream.nextMessage()["data"]?["task"]?["id"]

                #expect(received == .string("job"))
            }
        }
    }

    @Test("anycast spreads work evenly over the group's connections")
    func anycastRoundRobin() async throws {
        try await LiveServer.with { server in
            try await EventStream.with(server, group: "workers", process: "a") { a in
                try await EventStream.with(server, group: "workers", process: "b") { b in
                    try await EventStream.with(server, group: "workers", process: "c") { c in
                        for index in 0..<30 {
                            try await Self.createTarget(server, id: "job\(index)", target: "poll://any@workers")
                        }
                        var received: [String: Int] = [:]
                        for (name, stream) in [("a", a), ("b", b), ("c", c)] {
                            for _ in 0..<10 {
                                _ = try await stream.nextMessage()
                                received[name, default: 0] += 1
                            }
                        }
                        #expect(received == ["a": 10, "b": 10, "c": 10])
                    }
                }
            }
        }
    }

    @Test("anycast with a process prefers it; unicast reaches only it")
    func preferredAndUnicast() async throws {
        try await LiveServer.with { server in
            try await EventStream.with(server, group: "workers", process: "a") { a in
                try await EventStream.with(server, group: "workers", process: "b") { b in
                    for index in 0..<3 {
                        try await Self.createTarget(server, id: "pref\(index)", target: "poll://any@workers/b")
                    }
                    for index in 0..<3 {
                        let received = try await b.nextMessage()["data"]?["task"]?["id"]

                        #expect(received == .string("pref\(index)"))
                    }
                    // A listener on unicast b: the unblock goes to b only.
                    _ = try await server.rpc(
                        "promise.create", #"{"id":"watched","timeoutAt":\#(LiveServer.now + 60_000)}"#)
                    _ = try await server.rpc(
                        "promise.register_listener",
                        #"{"awaited":"watched","address":"poll://uni@workers/b"}"#
                    )
                    _ = try await server.rpc("promise.settle", #"{"id":"watched","state":"resolved"}"#)
                    let unblock = try await b.nextMessage()
                    #expect(unblock["kind"] == .string("unblock"))
                    #expect(unblock["data"]?["promise"]?["state"] == .string("resolved"))
                    // `a` got nothing: its next event is the marker sent after all of the above.
                    try await Self.createTarget(server, id: "marker", target: "poll://uni@workers/a")
                    let received = try await a.nextMessage()["data"]?["task"]?["id"]

                    #expect(received == .string("marker"))
                }
            }
        }
    }

    @Test("work dispatched while no worker is connected goes out when one connects")
    func parkedUntilConnected() async throws {
        try await LiveServer.with { server in
            try await Self.createTarget(server, id: "early", target: "poll://any@late-workers")
            // Messages are published just after the response is written.
            try await eventually("the message to be parked") { server.engine.parkedMessageCount == 1 }
            try await EventStream.with(server, group: "late-workers", process: "p") { stream in
                let received = try await stream.nextMessage()["data"]?["task"]?["id"]

                #expect(received == .string("early"))
            }
        }
    }

    @Test("idle streams receive keep-alive comments")
    func keepAlive() async throws {
        try await LiveServer.with(server: { $0.keepAliveInterval = .milliseconds(100) }) { server in
            try await EventStream.with(server, group: "workers", process: "idle") { stream in
                var iterator = stream.events.makeAsyncIterator()
                let received = try await iterator.next()

                #expect(received == .comment)
                #expect(try await iterator.next() == .comment)
            }
        }
    }

    @Test("a stream ends cleanly once its lifetime is over, and what comes before the reconnection waits for it")
    func streamLifetime() async throws {
        try await LiveServer.with(server: { $0.pollStreamLifetime = .milliseconds(400) }) { server in
            let opened = ContinuousClock.now
            try await EventStream.with(server, group: "workers", process: "p") { stream in
                // Ends without an error: the server finished the response.
                for try await _ in stream.events {}
            }
            let lived = opened.duration(to: .now)
            // At a random point of the lifetime's last tenth.
            #expect(lived >= .milliseconds(360))
            try await eventually("the ended stream to be forgotten") { server.server.pollConnectionCount == 0 }
            try await Self.createTarget(server, id: "between", target: "poll://uni@workers/p")
            try await eventually("the message to be held") { server.engine.parkedMessageCount == 1 }
            try await EventStream.with(server, group: "workers", process: "p") { stream in
                let received = try await stream.nextMessage()["data"]?["task"]?["id"]

                #expect(received == .string("between"))
            }
        }
    }

    @Test("a closed stream unregisters its connection")
    func disconnectUnregisters() async throws {
        try await LiveServer.with { server in
            try await EventStream.with(server, group: "workers", process: "gone") { _ in
                #expect(server.server.pollConnectionCount == 1)
            }
            // The server notices the closed connection and forgets it; wait for that, not for a fixed time.
            try await eventually("the closed connection to be forgotten") { server.server.pollConnectionCount == 0 }
            try await Self.createTarget(server, id: "after", target: "poll://any@workers")
            try await eventually("the message to be parked") { server.engine.parkedMessageCount == 1 }
        }
    }

    @Test("HTTP push POSTs the message JSON to an http:// target")
    func httpPush() async throws {
        let (received, receivedContinuation) = AsyncStream.makeStream(of: String.self)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            receivedContinuation.yield(String(buffer: body))
            return Response(status: .ok)
        }
        try await LocalHTTPServer.with(router) { receiverURL in
            try await LiveServer.with { server in
                try await Self.createTarget(server, id: "pushed", target: receiverURL + "/hook")
                var iterator = received.makeAsyncIterator()
                let body = try #require(await iterator.next())
                let message = try JSONParser().parse(body)
                #expect(message["kind"] == .string("execute"))
                #expect(message["data"]?["task"]?["id"] == .string("pushed"))
            }
        }
    }
}

@Suite("Slow consumers", .timeLimit(.minutes(2)))
struct SlowConsumerTests {
    @Test("a client that stops reading loses messages to it, and nobody else does")
    func slowClientIsIsolated() async throws {
        try await LiveServer.with(server: { $0.connectionBufferSize = 8 }) { server in
            // A raw connection that sends the request and then never reads.
            var request = HTTPClientRequest(url: server.baseURL + "/poll/stuck/s")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let stuck = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
            #expect(stuck.status == .ok)
            let payload = String(repeating: "x", count: 2_000)
            // 16 at a time, so that group commit keeps the flood short on a busy disk.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<3_000 {
                    if index >= 16, let status = try await group.next() { #expect(status == 200) }
                    group.addTask {
                        try await server.rpc(
                            "promise.create",
                            #"{"id":"flood\#(index)","timeoutAt":\#(LiveServer.now + 600_000),"param":{"data":"\#(payload)"},"tags":{"resonate:target":"poll://uni@stuck/s"}}"#
                        ).0
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            // Everyone else is still served promptly.
            try await EventStream.with(server, group: "healthy", process: "h") { stream in
                try await DeliveryTests.createTarget(server, id: "fine", target: "poll://any@healthy")
                let received = try await stream.nextMessage()["data"]?["task"]?["id"]
                #expect(received == .string("fine"))
            }
            _ = stuck
        }
    }
}
