// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
import PostgresNIO
public import ResonateEngine
import ResonateProtocol
import Synchronization

/// The ``ReplicaBus`` of server replicas sharing one PostgreSQL database.
///
/// - Membership lives in two tables: `replicas` (one row per live replica, refreshed by ``heartbeat(timeout:)``)
///   and `replica_connections` (the SSE connections each replica holds), so every replica can see the whole
///   cluster's connections. A replica that stops heartbeating is removed, with its connections, by the others.
/// - Messages travel by `NOTIFY` on a channel per replica (`resonate_relay_<id>`). A notification carries only a
///   reference (task id and version, or promise id), well under PostgreSQL's 8,000-byte payload limit; the
///   receiver reads the current state from the database, and answers on the sender's channel whether the message
///   reached a connection. Changes of connections are announced on `resonate_connections`.
/// - `LISTEN` needs a connection of its own, outside the pool: ``listen(_:)`` opens one and keeps it until
///   cancelled or the connection fails.
/// - A replica is routable only while its `LISTEN` session exists: the replica records that session's backend
///   process id, and the others check it in `pg_stat_activity` whenever they read the connections. A replica that
///   dies (or loses its database connection) stops receiving work as soon as PostgreSQL sees its session end,
///   without waiting for the heartbeat's liveness timeout.
///
/// Notifications are not durable: one sent while the receiver is disconnected is lost. A relayed message whose
/// acknowledgement does not come is therefore routed again by its sender (see ``DeliveryOutcome/relayed``).
public final class PostgresReplicaBus: ReplicaBus {
    public let replicaID: String
    /// The URL this replica serves, recorded for operators (`SELECT * FROM replicas`).
    public let url: String
    public let livenessTimeout: Duration
    /// How long opening a `LISTEN` session may take, once its connection is made, before it is closed and
    /// ``listen(_:)`` fails (its caller listens again).
    public let listenSetupTimeout: Duration
    private let store: PostgresStore
    private let logger: Logger
    /// The backend process id of this replica's `LISTEN` session, while it has one.
    private let listenerPID = Mutex<Int32?>(nil)

    static let connectionsChannel = "resonate_connections"

    /// - Parameters:
    ///   - store: the store whose database the replicas share (its pool runs the bus's queries).
    ///   - replicaID: this replica's id: lower-case letters, digits and `_`, at most 40 characters. Default: random.
    ///   - url: the URL this replica serves.
    ///   - livenessTimeout: how long a replica may go without a heartbeat before the others drop it.
    ///   - listenSetupTimeout: how long setting up a `LISTEN` session may take.
    public init(
        store: PostgresStore,
        replicaID: String = PostgresReplicaBus.randomID(),
        url: String,
        livenessTimeout: Duration = .seconds(5),
        listenSetupTimeout: Duration = .seconds(10),
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
        self.listenSetupTimeout = listenSetupTimeout
        self.logger = logger
    }

    /// A random replica id of 16 hexadecimal digits.
    public static func randomID() -> String {
        (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    }

    static func relayChannel(_ replica: String) -> String { "resonate_relay_\(replica)" }

    // MARK: Membership

    var livenessSeconds: Double { livenessTimeout.inSeconds }

    public func heartbeat() async throws -> Bool {
        let seconds = livenessSeconds
        let replicaID = self.replicaID
        let url = self.url
        let listener = listenerPID.withLock { $0 }
        return try await store.write { transaction in
            // xmax is 0 on a freshly inserted row version, and not on one written by the update branch.
            let joined = try await transaction.rows(
                """
                INSERT INTO replicas (id, url, seen_at, listener_pid)
                VALUES (\(replicaID), \(url), clock_timestamp(), \(listener))
                ON CONFLICT (id) DO UPDATE
                SET url = excluded.url, seen_at = excluded.seen_at, listener_pid = excluded.listener_pid
                RETURNING (xmax = 0), (SELECT listener_pid FROM replicas WHERE id = \(replicaID))
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
            // The others read the connections again when some replica is gone, or this one became routable or
            // stopped being so (it listens on a new session, or no longer listens).
            let (isNew, previousListener) = try joined.first?.decode((Bool, Int32?).self) ?? (true, nil)
            if !removed.isEmpty || previousListener != listener {
                try await transaction.rows("SELECT pg_notify(\(Self.connectionsChannel), \(replicaID))")
            }
            return isNew
        }
    }

    public func advertise(_ connections: Set<ReplicaConnection>) async throws {
        let replicaID = self.replicaID
        let url = self.url
        let listener = listenerPID.withLock { $0 }
        let groups = connections.map(\.group)
        let processes = connections.map(\.process)
        try await store.write { transaction in
            // The replica row may be gone if this replica was thought dead (a long pause): write it back first.
            try await transaction.rows(
                """
                INSERT INTO replicas (id, url, seen_at, listener_pid)
                VALUES (\(replicaID), \(url), clock_timestamp(), \(listener))
                ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, listener_pid = excluded.listener_pid
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
            // A replica that stopped heartbeating gets no more messages, even before someone deletes its rows; nor
            // does one whose LISTEN session is gone (it died, or lost its connection), which PostgreSQL knows at once.
            try await transaction.rows(
                """
                SELECT c.replica, c.grp, c.process FROM replica_connections c JOIN replicas r ON r.id = c.replica
                WHERE c.replica <> \(replicaID) AND r.seen_at >= clock_timestamp() - make_interval(secs => \(seconds))
                AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.listener_pid)
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

    public func relay(_ messages: [RelayedMessage], acknowledgements: [RelayAcknowledgement]) async throws {
        guard !messages.isEmpty || !acknowledgements.isEmpty else { return }
        let channels =
            messages.map { Self.relayChannel($0.replica) } + acknowledgements.map { Self.relayChannel($0.replica) }
        let payloads = messages.map(Self.payload) + acknowledgements.map(Self.payload)
        // One statement for the whole batch; notifications are sent when it commits.
        _ = try await store.write { transaction in
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
        let ends = await withTaskGroup(of: SessionEnd.self) { group in
            group.addTask {
                do {
                    try await self.listen(on: connection, handler)
                    return .ended
                } catch {
                    return .failed(error)
                }
            }
            group.addTask {
                // A session whose LISTEN or first query never answers (seen on a database under heavy load) would
                // leave this replica unroutable with no error to retry on: close it, so that the caller reconnects.
                do { try await Task.sleep(for: self.listenSetupTimeout) } catch { return .setUp }
                guard self.listenerPID.withLock({ $0 }) == nil else { return .setUp }
                self.logger.warning(
                    "LISTEN session not set up in time; reconnecting",
                    metadata: ["timeout": "\(self.listenSetupTimeout)"])
                try? await connection.close()
                return .setupTimedOut
            }
            // Listening ends with the connection; then the watchdog, if still waiting, is not needed.
            var ends: [SessionEnd] = []
            for await end in group {
                if end.isSessionEnd { group.cancelAll() }
                ends.append(end)
            }
            return ends
        }
        try? await connection.close()
        // The watchdog's verdict first: the session's own error is then only the closed connection.
        if ends.contains(where: \.isSetupTimeout) {
            throw PostgresStoreError(
                .connectionFailed, "the LISTEN session was not set up within \(listenSetupTimeout)")
        }
        for case .failed(let error) in ends { throw error }
    }

    /// How one part of a `LISTEN` session ended: the session itself, or the watchdog on its setup.
    private enum SessionEnd: Sendable {
        case ended
        case failed(any Error)
        case setUp
        case setupTimedOut

        var isSessionEnd: Bool {
            switch self {
            case .ended, .failed: true
            case .setUp, .setupTimedOut: false
            }
        }

        var isSetupTimeout: Bool {
            if case .setupTimedOut = self { true } else { false }
        }
    }

    private func listen(
        on connection: PostgresConnection, _ handler: @escaping @Sendable (ReplicaEvent) async -> Void
    ) async throws {
        let replicaID = self.replicaID
        let logger = self.logger
        try await connection.listen(on: Self.relayChannel(replicaID)) { relayed in
            try await connection.listen(on: Self.connectionsChannel) { changes in
                // Routable once the next heartbeat records this session, whose process the others look for in
                // pg_stat_activity. (Not written here: after a database restart the pool may be backing off for
                // seconds, and listening must not wait for it.)
                let pid = try await connection.query("SELECT pg_backend_pid()", logger: logger)
                    .collect().first?.decode(Int32.self)
                self.listenerPID.withLock { $0 = pid }
                defer { self.listenerPID.withLock { $0 = nil } }
                // Whatever happened while not listening is unknown: have the caller read the connections afresh.
                await handler(.connectionsChanged)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await notification in relayed {
                            guard let event = Self.event(notification.payload, replica: replicaID) else {
                                logger.warning(
                                    "unreadable relayed message", metadata: ["payload": "\(notification.payload)"])
                                continue
                            }
                            await handler(event)
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
        var process: String?
        var address: String
        var id: String
        var version: Int64?
        /// The replica that relayed the message (on messages).
        var sender: String?
        /// Whether the message reached a connection (on acknowledgements only).
        var delivered: Bool?

        enum CodingKeys: String, CodingKey {
            case kind = "k"
            case process = "p"
            case address = "a"
            case id = "i"
            case version = "v"
            case sender = "s"
            case delivered = "d"
        }

        init(content: OutboxEntry.Content, address: String) {
            switch content {
            case .execute(let taskID, let version): (kind, id, self.version) = ("e", taskID, version)
            case .unblock(let promiseID): (kind, id) = ("u", promiseID)
            }
            self.address = address
        }

        var content: OutboxEntry.Content? {
            switch (kind, version) {
            case ("e", let version?): .execute(taskID: id, version: version)
            case ("u", _): .unblock(promiseID: id)
            default: nil
            }
        }

        var text: String {
            // Encoding strings, integers and booleans cannot fail.
            String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
        }
    }

    static func payload(_ message: RelayedMessage) -> String {
        var payload = Payload(content: message.content, address: message.address)
        payload.process = message.process
        payload.sender = message.sender
        return payload.text
    }

    static func payload(_ acknowledgement: RelayAcknowledgement) -> String {
        var payload = Payload(content: acknowledgement.content, address: acknowledgement.address)
        payload.delivered = acknowledgement.delivered
        return payload.text
    }

    /// The event a notification on this replica's relay channel carries: a message, or an acknowledgement.
    static func event(_ text: String, replica: String) -> ReplicaEvent? {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(text.utf8)),
            let content = payload.content
        else { return nil }
        if let delivered = payload.delivered {
            return .acknowledged(
                RelayAcknowledgement(replica: replica, address: payload.address, content: content, delivered: delivered)
            )
        }
        guard let process = payload.process, let sender = payload.sender else { return nil }
        return .relayed(
            RelayedMessage(
                replica: replica, sender: sender, process: process, address: payload.address, content: content))
    }
}
