// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateEngine
import ResonateProtocol
import ResonateServer
import ResonateTestSupport
import ResonateTesting
import Testing

/// Clients that hang up as soon as they have sent their request: what they asked for still takes full effect.
@Suite("Clients that disconnect early", .timeLimit(.minutes(2)))
struct EarlyDisconnectTests {
    @Test("work created by a client that hangs up at once is delivered to the group, not after a retry")
    func createThenHangUp() async throws {
        // No retry may fire while the test runs (on a loaded machine it can outlast the default 30 s), so every
        // message the stream gets comes from a create.
        try await LiveServer.with(engine: { $0.retryTimeout = .seconds(3600) }) { server in
            try await EventStream.with(server, group: "workers", process: "p1") { stream in
                for index in 0..<20 {
                    let body =
                        #"{"kind":"promise.create","head":{"corrId":"c\#(index)","version":"2026-04-01"},"data":"#
                        + #"{"id":"gone-\#(index)","timeoutAt":\#(LiveServer.now + 600_000),"#
                        + #""tags":{"resonate:target":"poll://any@workers"}}}"#
                    try RawHTTP.sendAndHangUp(
                        port: server.port,
                        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    )
                    // The task retry is an hour away: the message must come from the create itself.
                    let started = ContinuousClock.now
                    let message = try await stream.nextMessage()
                    #expect(message["data"]?["task"]?["id"] == .string("gone-\(index)"))
                    #expect(ContinuousClock.now - started < .seconds(10))
                }
            }
        }
    }

    @Test("poll streams whose clients hang up before they start are not left registered to swallow work")
    func pollThenHangUp() async throws {
        // As above: no retried execute may interleave with the creates' messages.
        try await LiveServer.with(engine: { $0.retryTimeout = .seconds(3600) }) { server in
            for index in 0..<20 {
                try RawHTTP.sendAndHangUp(
                    port: server.port,
                    "GET /poll/workers/ghost-\(index) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
                )
            }
            // A live worker joins the group: all of the group's work reaches it, none goes to a ghost. (The server
            // may still be reading some of the hung-up requests, so wait for their registrations to go.)
            try await EventStream.with(server, group: "workers", process: "alive") { stream in
                try await eventually("the hung-up streams to be forgotten") { server.server.pollConnectionCount == 1 }
                for index in 0..<20 {
                    try await DeliveryTests.createTarget(server, id: "work-\(index)", target: "poll://any@workers")
                    let started = ContinuousClock.now
                    let message = try await stream.nextMessage()
                    #expect(message["data"]?["task"]?["id"] == .string("work-\(index)"))
                    #expect(ContinuousClock.now - started < .seconds(10))
                }
            }
        }
    }
}
