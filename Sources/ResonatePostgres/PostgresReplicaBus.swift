// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
import PostgresNIO
public import ResonateEngine

/// The ``ReplicaBus`` of server replicas sharing one PostgreSQL database.
///
/// - Membership lives in two tables: `replicas` (one row per live replica, refreshed by ``heartbeat(timeout:)``)
///   and `replica_connections` (the SSE connections each replica holds), so every replica can see the whole
///   cluster's connections. A replica that stops heartbeating is removed, with its connections, by the others.
/// - Messages travel by `NOTIFY` on a channel per replica (`resonate_relay_<id>`). A notification carries only a
///   reference (task id and version, or promise id), well under PostgreSQL's 8,000-byte payload limit; the
///   receiver reads the current state from the database. Changes of connections are announced on
///   `resonate_connections`.
/// - `LISTEN` needs a connection of its own, outside the pool: ``listen(_:)`` opens one and keeps it until
///   cancelled or the connection fails.
///
/// Notifications are not durable: one sent while the receiver is disconnected is lost. That costs time, not
/// correctness, since every message the engine sends is also recovered by its timers (task retries, lease
/// expiries).
public final class PostgresReplicaBus: ReplicaBus {
    public let replicaID: String
    /// The URL this replica serves, recorded for operators (`SELECT * FROM replicas`).
    public let url: String
    public let livenessTimeout: Duration
    private let store: PostgresStore
    private let logger: Logger

    static let connectionsChannel = "resonate_connections"

    /// - Parameters:
    ///   - store: the store whose database the replicas share (its pool runs the bus's queries).
    ///   - replicaID: this replica's id: lower-case letters, digits and `_`, at most 40 characters. Default: random.
    ///   - url: the URL this replica serves.
    ///   - livenessTimeout: how long a replica may go without a heartbeat before the others drop it.
    public init(
        store: PostgresStore,
        replicaID: String = PostgresReplicaBus.randomID(),
        url: String,
        livenessTimeout: Duration = .seconds(5),
        logger: Logger
    ) throws {
        guard !replicaID.isEmpty, replicaID.count <= 40,
            replicaID.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        else {
            throw PostgresStoreError(
                .invalidConfiguration,
                "invalid replica id '\(replicaID)': use lower-case letters, digits and _, at most 40 characters")
        }
        self.store = store
        self.replicaID = replicaID
        self.url = url
        self.livenessTimeout = livenessTimeout
        self.logger = logger
    }

    /// A random replica id of 16 hexadecimal digits.
    public static func randomID() -> String {
        (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    }

    static func relayChannel(_ replica: String) -> String { "resonate_relay_\(replica)" }

    // MARK: Membership

    var livenessSeconds: Double {
        Double(livenessTimeout.components.seconds) + Double(livenessTimeout.components.attoseconds) / 1e18
    }

    public func heartbeat() async throws -> Bool {
        let seconds = livenessSeconds
        let replicaID = self.replicaID
        let url = self.url
        return try await store.write { transaction in
            // xmax is 0 on a freshly inserted row version, and not on one written by the update branch.
            let joined = try await transaction.rows(
                """
                INSERT INTO replicas (id, url, seen_at) VALUES (\(replicaID), \(url), clock_timestamp())
                ON CONFLICT (id) DO UPDATE SET url = excluded.url, seen_at = excluded.seen_at
                RETURNING (xmax = 0)
                """
            )
            // Ignored by the others after the liveness timeout, deleted (with its connections) after three.
            let removed = try await transaction.rows(
                """
                DELETE FROM replicas
                WHERE seen_at < clock_timestamp() - make_interval(secs => \(seconds * 3)) AND id <> \(replicaID)
                RETURNING id
                """
            )
            if !removed.isEmpty {
                try await transaction.rows("SELECT pg_notify(\(Self.connectionsChannel), \(replicaID))")
            }
            return try joined.first?.decode(Bool.self) ?? true
        }
    }

    public func advertise(_ connections: Set<ReplicaConnection>) async throws {
        let replicaID = self.replicaID
        let url = self.url
        let groups = connections.map(\.group)
        let processes = connections.map(\.process)
        try await store.write { transaction in
            // The replica row may be gone if this replica was thought dead (a long pause): write it back first.
            try await transaction.rows(
                """
                INSERT INTO replicas (id, url, seen_at) VALUES (\(replicaID), \(url), clock_timestamp())
                ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
                """
            )
            try await transaction.rows("DELETE FROM replica_connections WHERE replica = \(replicaID)")
            if !groups.isEmpty {
                try await transaction.rows(
                    """
                    INSERT INTO replica_connections (replica, grp, process)
                    SELECT \(replicaID), grp, process FROM unnest(\(groups)::text[], \(processes)::text[]) AS c(grp, process)
                    """
                )
            }
            // Sent at commit, so the others read the new rows when they hear of them.
            try await transaction.rows("SELECT pg_notify(\(Self.connectionsChannel), \(replicaID))")
        }
    }

    public func peerConnections() async throws -> [ReplicaConnection] {
        let replicaID = self.replicaID
        let seconds = livenessSeconds
        return try await store.read { transaction in
            // A replica that stopped heartbeating gets no more messages, even before someone deletes its rows.
            try await transaction.rows(
                """
                SELECT c.replica, c.grp, c.process FROM replica_connections c JOIN replicas r ON r.id = c.replica
                WHERE c.replica <> \(replicaID) AND r.seen_at >= clock_timestamp() - make_interval(secs => \(seconds))
                """
            ).map { row in
                let (replica, group, process) = try row.decode((String, String, String).self)
                return ReplicaConnection(replica: replica, group: group, process: process)
            }
        }
    }

    public func leasedTaskCounts() async throws -> [String: Int] {
        try await store.read { transaction in
            var counts: [String: Int] = [:]
            // Timer tasks are held until their deadline by whoever awaits them; they are not work.
            for row in try await transaction.rows(
                """
                SELECT t.pid, count(*) FROM tasks t JOIN promises p ON p.id = t.id
                WHERE t.state = 'acquired' AND t.pid IS NOT NULL AND p.tags->>'resonate:timer' IS DISTINCT FROM 'true'
                GROUP BY t.pid
                """
            ) {
                let (pid, count) = try row.decode((String, Int64).self)
                counts[pid] = Int(count)
            }
            return counts
        }
    }

    public func leave() async throws {
        let replicaID = self.replicaID
        try await store.write { transaction in
            try await transaction.rows("DELETE FROM replicas WHERE id = \(replicaID)")
            try await transaction.rows("SELECT pg_notify(\(Self.connectionsChannel), \(replicaID))")
        }
    }

    // MARK: Messages

    public func relay(_ messages: [RelayedMessage]) async throws {
        guard !messages.isEmpty else { return }
        let channels = messages.map { Self.relayChannel($0.replica) }
        let payloads = messages.map(Self.payload)
        // One statement for the whole batch; notifications are sent when it commits.
        try await store.write { transaction in
            try await transaction.rows(
                "SELECT pg_notify(c, p) FROM unnest(\(channels)::text[], \(payloads)::text[]) AS n(c, p)"
            )
        }
    }

    public func listen(_ handler: @escaping @Sendable (ReplicaEvent) async -> Void) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try store.configuration.connectionConfiguration(),
            id: 1,
            logger: logger
        )
        do {
            try await listen(on: connection, handler)
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    private func listen(
        on connection: PostgresConnection, _ handler: @escaping @Sendable (ReplicaEvent) async -> Void
    ) async throws {
        let replicaID = self.replicaID
        let logger = self.logger
        try await connection.listen(on: Self.relayChannel(replicaID)) { relayed in
            try await connection.listen(on: Self.connectionsChannel) { changes in
                // Whatever happened while not listening is unknown: have the caller read the connections afresh.
                await handler(.connectionsChanged)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await notification in relayed {
                            guard let message = Self.message(notification.payload, replica: replicaID) else {
                                logger.warning(
                                    "unreadable relayed message", metadata: ["payload": "\(notification.payload)"])
                                continue
                            }
                            await handler(.relayed(message))
                        }
                    }
                    group.addTask {
                        for try await notification in changes where notification.payload != replicaID {
                            await handler(.connectionsChanged)
                        }
                    }
                    // Either sequence ending means the connection is gone.
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    // MARK: Payloads

    private struct Payload: Codable {
        /// `e` (execute) or `u` (unblock).
        var kind: String
        var process: String
        var address: String
        var id: String
        var version: Int64?

        enum CodingKeys: String, CodingKey {
            case kind = "k"
            case process = "p"
            case address = "a"
            case id = "i"
            case version = "v"
        }
    }

    static func payload(_ message: RelayedMessage) -> String {
        let payload: Payload
        switch message.content {
        case .execute(let taskID, let version):
            payload = Payload(
                kind: "e", process: message.process, address: message.address, id: taskID, version: version)
        case .unblock(let promiseID):
            payload = Payload(kind: "u", process: message.process, address: message.address, id: promiseID)
        }
        // Encoding strings and integers cannot fail.
        let data = (try? JSONEncoder().encode(payload)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func message(_ text: String, replica: String) -> RelayedMessage? {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(text.utf8)) else { return nil }
        let content: OutboxEntry.Content
        switch (payload.kind, payload.version) {
        case ("e", let version?): content = .execute(taskID: payload.id, version: version)
        case ("u", _): content = .unblock(promiseID: payload.id)
        default: return nil
        }
        return RelayedMessage(replica: replica, process: payload.process, address: payload.address, content: content)
    }
}
