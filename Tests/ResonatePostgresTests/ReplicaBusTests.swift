// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
import ResonateEngine
import ResonateTesting
import Synchronization
import Testing

@testable import ResonatePostgres

/// The events one replica heard on the bus.
final class ReplicaEvents: Sendable {
    private let heard = Mutex<[ReplicaEvent]>([])

    func record(_ event: ReplicaEvent) {
        heard.withLock { $0.append(event) }
    }

    var relayed: [RelayedMessage] {
        heard.withLock { $0.compactMap { if case .relayed(let message) = $0 { message } else { nil } } }
    }

    var acknowledgements: [RelayAcknowledgement] {
        heard.withLock { $0.compactMap { if case .acknowledged(let answer) = $0 { answer } else { nil } } }
    }
}

/// Why listening failed, for the failure message of a test that waits for it.
final class ListenFailures: Sendable {
    private let failures = Mutex<[String]>([])

    func record(_ failure: String) {
        failures.withLock { $0.append(failure) }
    }

    var latest: [String] { failures.withLock { Array($0.suffix(4)) } }
}

@Suite("The PostgreSQL replica bus", .sharedPostgres, .timeLimit(.minutes(2)))
struct ReplicaBusTests {
    /// Two replicas' buses on one database, each listening, `body` running while they do.
    private func withTwoReplicas(
        _ body: (_ buses: [PostgresReplicaBus], _ events: [ReplicaEvents], _ store: PostgresStore) async throws -> Void
    ) async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        let buses = try ["first", "second"].map {
            // A liveness timeout far above what a loaded machine may take to notice an ended session, so that
            // "seen before the heartbeat lapses" holds by a wide margin.
            try PostgresReplicaBus(
                store: store, replicaID: $0, url: "http://\($0)", livenessTimeout: .seconds(30),
                logger: PostgresFixtures.logger)
        }
        let events = [ReplicaEvents(), ReplicaEvents()]
        try await PostgresFixtures.running([store]) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let failures = ListenFailures()
                for (bus, heard) in zip(buses, events) {
                    // Listening again after a failure, as a replica does (a busy server may refuse a connection).
                    group.addTask {
                        while !Task.isCancelled {
                            do {
                                try await bus.listen { heard.record($0) }
                            } catch {
                                failures.record("\(bus.replicaID): \(String(reflecting: error))")
                            }
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
                defer { group.cancelAll() }
                // A heartbeat records the replica's LISTEN session once it has one.
                try await eventually(
                    "both replicas to listen; failures: \(failures.latest)", within: .seconds(60)
                ) {
                    for bus in buses { _ = try await bus.heartbeat() }
                    return try await store.read { transaction in
                        try await transaction.rows("SELECT count(listener_pid) FROM replicas").first?.decode(Int64.self)
                    } == 2
                }
                try await body(buses, events, store)
            }
        }
    }

    @Test("a relayed message reaches its replica with its sender, and the acknowledgement comes back to the sender")
    func relayIsAcknowledged() async throws {
        try await withTwoReplicas { buses, events, _ in
            let message = RelayedMessage(
                replica: "second", sender: "first", process: "p1", address: "poll://any@workers",
                content: .execute(taskID: "job", version: 3))
            try await buses[0].relay([message], acknowledgements: [])
            try await eventually("the second replica to hear the message", within: .seconds(10)) {
                events[1].relayed == [message]
            }
            try await buses[1].relay([], acknowledgements: [message.acknowledgement(delivered: false)])
            try await eventually("the first replica to hear the answer", within: .seconds(10)) {
                !events[0].acknowledgements.isEmpty
            }
            #expect(
                events[0].acknowledgements == [
                    RelayAcknowledgement(
                        replica: "first", address: "poll://any@workers", content: .execute(taskID: "job", version: 3),
                        delivered: false)
                ])
            #expect(events[0].relayed.isEmpty)
            #expect(events[1].acknowledgements.isEmpty)
        }
    }

    @Test("a replica whose LISTEN session ends is no longer routable at once, long before its heartbeat lapses")
    func deadSessionIsNotRoutable() async throws {
        try await withTwoReplicas { buses, _, store in
            try await buses[1].advertise([ReplicaConnection(replica: "second", group: "workers", process: "p1")])
            #expect(try await buses[0].peerConnections().map(\.process) == ["p1"])
            // What PostgreSQL sees when the replica's process dies: its session ends.
            _ = try await store.write { transaction in
                try await transaction.rows(
                    "SELECT pg_terminate_backend(listener_pid) FROM replicas WHERE id = 'second'")
            }
            let ended = ContinuousClock.now
            try await eventually("the second replica's connections to stop being routable", within: .seconds(25)) {
                try await buses[0].peerConnections().isEmpty
            }
            // The session's end is seen before the heartbeat's liveness timeout could have dropped the replica.
            #expect(ContinuousClock.now - ended < buses[0].livenessTimeout)
        }
    }

    @Test("a LISTEN session not set up within its timeout is closed and reported, so that its caller listens again")
    func listenSetupTimesOut() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        // No setup can be that fast: the watchdog finds the session unready.
        let bus = try PostgresReplicaBus(
            store: store, replicaID: "slow", url: "http://slow", listenSetupTimeout: .zero,
            logger: PostgresFixtures.logger)
        try await PostgresFixtures.running([store]) {
            let error = await #expect(throws: PostgresStoreError.self) { try await bus.listen { _ in } }
            #expect(error?.code == .connectionFailed)
            #expect(error?.message.contains("LISTEN session was not set up within") == true)
            // The replica is not routable: no session of it was ever recorded.
            _ = try await bus.heartbeat()
            let listener = try await store.read { transaction in
                try await transaction.rows("SELECT listener_pid FROM replicas WHERE id = 'slow'").first?
                    .decode(Int32?.self)
            }
            #expect(listener == .some(nil))
        }
    }

    @Test("a LISTEN session set up in time outlives its setup timeout")
    func listenOutlivesSetupTimeout() async throws {
        let store = try PostgresFixtures.store(try await PostgresFixtures.database())
        let timeout = Duration.seconds(5)
        let bus = try PostgresReplicaBus(
            store: store, replicaID: "steady", url: "http://steady", listenSetupTimeout: timeout,
            logger: PostgresFixtures.logger)
        let heard = ReplicaEvents()
        try await PostgresFixtures.running([store]) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Listening again after a failure, as a replica does: on a starved machine a first setup may miss
                // the deadline; the session checked below is one that made it.
                group.addTask {
                    while !Task.isCancelled {
                        try? await bus.listen { heard.record($0) }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
                defer { group.cancelAll() }
                let listener = { () async throws -> Int32? in
                    _ = try await bus.heartbeat()
                    return try await store.read { transaction in
                        try await transaction.rows("SELECT listener_pid FROM replicas WHERE id = 'steady'").first?
                            .decode(Int32?.self)
                    } ?? nil
                }
                let session = try await eventuallyValue("the session to be set up", within: .seconds(60)) {
                    try await listener()
                }
                // Past the watchdog's deadline: the same session still listens, and hears what is relayed to it.
                try await Task.sleep(for: timeout + .seconds(1))
                #expect(try await listener() == session)
                let message = RelayedMessage(
                    replica: "steady", sender: "steady", process: "p1", address: "poll://any@workers",
                    content: .execute(taskID: "job", version: 1))
                try await bus.relay([message], acknowledgements: [])
                try await eventually("the session to hear the message", within: .seconds(10)) {
                    heard.relayed == [message]
                }
            }
        }
    }
}
