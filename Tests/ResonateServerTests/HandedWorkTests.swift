// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import ResonateServer
import Testing

/// A process that leaves — it stops, crashes or loses its connection — may take unread `execute` messages with it.
/// The tasks it never acquired go to the rest of its group as soon as its stream ends, not at their retry time.
@Suite("Work handed to a process that leaves", .timeLimit(.minutes(2)))
struct HandedWorkTests {
    @Test("executes a process was handed but never acquired go to another process as soon as its stream ends")
    func unacquiredWorkMovesOn() async throws {
        // Retries an hour away: every message the second process gets is one the first one left behind.
        try await LiveServer.with(engine: { $0.retryTimeout = .seconds(3600) }) { server in
            let ids = (0..<10).map { "handed-\($0)" }
            try await EventStream.with(server, group: "workers", process: "leaving") { leaving in
                for id in ids {
                    try await DeliveryTests.createTarget(server, id: id, target: "poll://any@workers")
                    let message = try await leaving.nextMessage()
                    #expect(message["data"]?["task"]?["id"] == .string(id))
                }
            }
            try await EventStream.with(server, group: "workers", process: "staying") { staying in
                var received: Set<String> = []
                let started = ContinuousClock.now
                while received.count < ids.count {
                    let message = try await staying.nextMessage()
                    guard case .string(let id)? = message["data"]?["task"]?["id"] else { continue }
                    received.insert(id)
                }
                #expect(received == Set(ids))
                #expect(ContinuousClock.now - started < .seconds(10))
            }
        }
    }

    @Test("a task the leaving process acquired is not sent again; its lease decides")
    func acquiredWorkStays() async throws {
        try await LiveServer.with(engine: { $0.retryTimeout = .seconds(3600) }) { server in
            try await EventStream.with(server, group: "workers", process: "leaving") { leaving in
                try await DeliveryTests.createTarget(server, id: "kept", target: "poll://any@workers")
                _ = try await leaving.nextMessage()
                try await DeliveryTests.createTarget(server, id: "left", target: "poll://any@workers")
                _ = try await leaving.nextMessage()
                let (status, _) = try await server.rpc(
                    "task.acquire", #"{"id":"kept","version":0,"pid":"leaving","ttl":600000}"#)
                #expect(status == 200)
            }
            try await EventStream.with(server, group: "workers", process: "staying") { staying in
                // Only the unacquired task comes back; the marker created afterwards shows nothing else was queued.
                let first = try await staying.nextMessage()
                #expect(first["data"]?["task"]?["id"] == .string("left"))
                try await DeliveryTests.createTarget(server, id: "marker", target: "poll://any@workers")
                let second = try await staying.nextMessage()
                #expect(second["data"]?["task"]?["id"] == .string("marker"))
            }
        }
    }

    @Test("a process that reconnects gets back what its previous stream was handed")
    func reconnectGetsItsWorkBack() async throws {
        try await LiveServer.with(engine: { $0.retryTimeout = .seconds(3600) }) { server in
            try await EventStream.with(server, group: "workers", process: "p") { stream in
                try await DeliveryTests.createTarget(server, id: "again", target: "poll://any@workers")
                _ = try await stream.nextMessage()
            }
            try await EventStream.with(server, group: "workers", process: "p") { stream in
                let message = try await stream.nextMessage()
                #expect(message["data"]?["task"]?["id"] == .string("again"))
                #expect(message["data"]?["task"]?["version"] == .integer(0))
            }
        }
    }
}
