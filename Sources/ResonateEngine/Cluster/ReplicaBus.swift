// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// How server replicas that share one database learn about each other and pass messages along.
///
/// Each replica holds the SSE connections of the workers connected to it. A message produced on one replica for a
/// process connected to another is *relayed*: the bus carries a small reference to it (a task id and version, or
/// a promise id) to the replica holding the connection, which reads what it needs from the shared store and
/// writes it to the stream. A store shared by several processes provides one (`PostgresReplicaBus` for the
/// PostgreSQL store); a single server needs none.
public protocol ReplicaBus: Sendable {
    /// This replica's id, unique among the live replicas.
    var replicaID: String { get }

    /// How long a replica may go without a heartbeat before the others consider it dead.
    var livenessTimeout: Duration { get }

    /// Marks this replica alive, and forgets replicas silent for longer than ``livenessTimeout`` (with their
    /// connections). Returns `true` when this replica was not registered (its first heartbeat, or the others had
    /// given it up during a long pause): its connections must then be advertised again.
    func heartbeat() async throws -> Bool

    /// Replaces the connections this replica advertises, and tells the other replicas they changed.
    func advertise(_ connections: Set<ReplicaConnection>) async throws

    /// The connections advertised by the other replicas that are alive.
    func peerConnections() async throws -> [ReplicaConnection]

    /// The number of leased tasks of each process, over all replicas.
    func leasedTaskCounts() async throws -> [String: Int]

    /// Hands messages to the replicas holding their connections, and acknowledgements of messages relayed here
    /// to the replicas that sent them; returns once the bus has taken them.
    func relay(_ messages: [RelayedMessage], acknowledgements: [RelayAcknowledgement]) async throws

    /// Receives the bus's events for this replica until cancelled or the bus fails; call again after a failure
    /// (events sent in between may be lost: a relayed message is then sent again when its acknowledgement does
    /// not come).
    func listen(_ handler: @escaping @Sendable (ReplicaEvent) async -> Void) async throws

    /// Withdraws this replica and its connections (on graceful shutdown).
    func leave() async throws
}

/// An SSE connection of a worker process, on some replica.
public struct ReplicaConnection: Sendable, Hashable {
    public var replica: String
    /// The poll group, normalised (lower case).
    public var group: String
    public var process: String

    public init(replica: String, group: String, process: String) {
        self.replica = replica
        self.group = group
        self.process = process
    }
}

/// A message handed to the replica that holds the connection it goes to.
public struct RelayedMessage: Sendable, Hashable {
    /// The replica that delivers it.
    public var replica: String
    /// The replica that relayed it, which keeps its outbox row until it is acknowledged.
    public var sender: String
    /// The process it was meant for (the one anycast chose, or the unicast target).
    public var process: String
    /// The message's address as stored in the outbox (`poll://any@group`, `poll://uni@group/id`, …).
    public var address: String
    /// What to deliver: the `execute` of a task version, or the `unblock` of a (settled) promise.
    public var content: OutboxEntry.Content

    public init(replica: String, sender: String, process: String, address: String, content: OutboxEntry.Content) {
        self.replica = replica
        self.sender = sender
        self.process = process
        self.address = address
        self.content = content
    }

    /// The acknowledgement of this message, saying whether it reached a connection.
    public func acknowledgement(delivered: Bool) -> RelayAcknowledgement {
        RelayAcknowledgement(replica: sender, address: address, content: content, delivered: delivered)
    }
}

/// A replica's answer to a message relayed to it: whether it reached a connection there.
public struct RelayAcknowledgement: Sendable, Hashable {
    /// The replica it goes to (the one that relayed the message).
    public var replica: String
    /// The relayed message's address and content, which identify its outbox row at the sender.
    public var address: String
    public var content: OutboxEntry.Content
    /// `false` when the replica had no connection for it, so the sender routes it again at once.
    public var delivered: Bool

    public init(replica: String, address: String, content: OutboxEntry.Content, delivered: Bool) {
        self.replica = replica
        self.address = address
        self.content = content
        self.delivered = delivered
    }
}

/// What a replica hears on the bus.
public enum ReplicaEvent: Sendable, Hashable {
    /// A message for a connection of this replica.
    case relayed(RelayedMessage)
    /// The answer to a message this replica relayed.
    case acknowledged(RelayAcknowledgement)
    /// Another replica's connections changed (or the bus reconnected and may have missed changes).
    case connectionsChanged
}
