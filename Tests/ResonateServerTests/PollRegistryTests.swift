// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import ResonateProtocol
import Synchronization
import Testing

@testable import ResonateServer

@Suite("Poll delivery")
struct PollRegistryTests {
    static func registry(bufferSize: Int = 8) -> PollRegistry {
        PollRegistry(
            bufferSize: bufferSize, maximumConnections: 10, logger: Logger(label: "test"), load: { _ in 0 },
            now: { 0 }, handedWindow: 30_000, connectionEnded: { _ in })
    }

    static let anycast = Address.anycast(group: "workers", process: nil)

    @Test("a stream that ended before it was unregistered is skipped, and with no other the message is parked")
    func endedStreamParks() throws {
        let registry = Self.registry()
        let ended = try registry.register(group: "workers", process: "a")
        // The client went away: the stream's events end at once, its unregistration follows a moment later.
        ended.continuation.finish()

        #expect(registry.deliver([1], to: Self.anycast) == .unreachable)

        let live = try registry.register(group: "workers", process: "b")
        #expect(registry.deliver([2], to: Self.anycast) == .delivered)
        live.continuation.finish()
    }

    @Test("a full buffer drops the message rather than parking it")
    func fullBufferDrops() throws {
        let registry = Self.registry(bufferSize: 1)
        let connection = try registry.register(group: "workers", process: "a")

        #expect(registry.deliver([1], to: Self.anycast) == .delivered)
        #expect(registry.deliver([2], to: Self.anycast) == .dropped)
        connection.continuation.finish()
    }

    @Test("a connection that ends returns the executes it was handed within the window, and only those")
    func endedConnectionReturnsHandedTasks() throws {
        let now = Mutex<Int64>(0)
        let returned = Mutex<[TaskReference]>([])
        let registry = PollRegistry(
            bufferSize: 8, maximumConnections: 10, logger: Logger(label: "test"), load: { _ in 0 },
            now: { now.withLock { $0 } }, handedWindow: 1_000,
            connectionEnded: { tasks in returned.withLock { $0.append(contentsOf: tasks) } })
        let connection = try registry.register(group: "workers", process: "a")
        let old = TaskReference(id: "old", version: 0)
        let recent = TaskReference(id: "recent", version: 3)
        #expect(registry.deliver([1], to: Self.anycast, task: old) == .delivered)
        now.withLock { $0 = 1_500 }
        #expect(registry.deliver([2], to: Self.anycast, task: recent) == .delivered)
        // An unblock names no task to hand back.
        #expect(registry.deliver([3], to: Self.anycast) == .delivered)

        registry.unregister(connection)
        #expect(returned.withLock { $0 } == [recent])
    }
}
