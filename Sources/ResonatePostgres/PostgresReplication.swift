// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Logging
public import ResonateEngine

/// What a server needs to be one replica of several on a shared PostgreSQL database: the bus on which the replicas
/// find each other and relay messages, and the engine settings that let each notice the others' deadlines.
///
/// `resonate serve --store postgres://…` assembles its server this way; a program that embeds the server does the
/// same:
///
/// ```swift
/// let store = try PostgresStore(configuration: .init(url: databaseURL), logger: logger)
/// let replication = try PostgresReplication(store: store, serverURL: "http://10.0.0.5:8001", logger: logger)
/// var engineConfiguration = EngineConfiguration()
/// replication.configure(&engineConfiguration)
/// var serverConfiguration = ServerConfiguration()
/// serverConfiguration.replicaBus = replication.bus
/// ```
public struct PostgresReplication: Sendable {
    /// The replica bus to give the server (`ServerConfiguration.replicaBus`).
    public let bus: PostgresReplicaBus

    /// - Parameter serverURL: the URL this replica serves, as workers and the other replicas reach it.
    public init(store: PostgresStore, serverURL: String, logger: Logger) throws {
        bus = try PostgresReplicaBus(store: store, url: serverURL, logger: logger)
    }

    /// The replica's id on the bus.
    public var replicaID: String { bus.replicaID }

    /// Engine settings for a store other processes write too.
    ///
    /// Each replica wakes for the deadlines it creates, but learns of the others' only by looking: every second.
    /// Smaller timer batches hold fewer row locks at once, so they collide less with requests.
    public func configure(_ engine: inout EngineConfiguration) {
        engine.maximumTimerWait = .seconds(1)
        engine.timerBatchSize = 100
    }
}
