// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Metrics
import ResonateEngine
import ResonateProtocol
import ServiceLifecycle
import Synchronization

/// Makes the server one replica of several sharing a store: advertises this replica's SSE connections on the
/// ``ReplicaBus``, keeps the cluster's connections and loads for routing, relays messages whose process is
/// connected elsewhere, and delivers the messages other replicas relay here.
///
/// A relayed message keeps its outbox row until the receiving replica acknowledges it; the engine routes one that
/// is not acknowledged in time again (``DeliveryOutcome/relayed``), so a message lost with a replica that dies, or
/// with the bus during a database restart, goes out again within about a second.
final class ClusterCoordinator: Service, Sendable {
    let bus: any ReplicaBus
    private let registry: PollRegistry
    private let state = Mutex(ClusterRoutingState())
    private let outgoing = Mutex<(messages: [RelayedMessage], acknowledgements: [RelayAcknowledgement])>(([], []))
    private let outgoingSignal: AsyncStream<Void>.Continuation
    private let outgoingSignals: AsyncStream<Void>
    private let refreshSignal: AsyncStream<Void>.Continuation
    private let refreshSignals: AsyncStream<Void>
    private let serverURL: Mutex<String>
    private let readPromise: @Sendable (String) async throws -> PromiseRecord?
    private let connectionOpened: @Sendable (String) -> Void
    private let relayAcknowledged: @Sendable (RelayAcknowledgement) -> Void
    private let logger: Logger
    private let metrics: ServerMetricHandles
    private let relayedCounter = Counter(label: "resonate_relayed_messages_total", dimensions: [("direction", "out")])
    private let receivedCounter = Counter(label: "resonate_relayed_messages_total", dimensions: [("direction", "in")])

    /// How often the cluster's connections and loads are read even without a notification.
    static let refreshInterval: Duration = .seconds(1)

    /// - Parameters:
    ///   - readPromise: reads a promise from the store (to deliver a relayed `unblock`).
    ///   - connectionOpened: called with a group that gained a connection on another replica, so messages parked
    ///     here for it go out.
    ///   - relayAcknowledged: called with another replica's answer to a message relayed from here.
    init(
        bus: any ReplicaBus,
        registry: PollRegistry,
        serverURL: String,
        readPromise: @escaping @Sendable (String) async throws -> PromiseRecord?,
        connectionOpened: @escaping @Sendable (String) -> Void,
        relayAcknowledged: @escaping @Sendable (RelayAcknowledgement) -> Void,
        metrics: ServerMetricHandles,
        logger: Logger
    ) {
        self.bus = bus
        self.registry = registry
        self.serverURL = Mutex(serverURL)
        self.readPromise = readPromise
        self.connectionOpened = connectionOpened
        self.relayAcknowledged = relayAcknowledged
        self.metrics = metrics
        self.logger = logger
        (outgoingSignals, outgoingSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (refreshSignals, refreshSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The URL written into messages delivered here (known once the server listens when bound to port 0).
    func setServerURL(_ url: String) {
        serverURL.withLock { $0 = url }
    }

    /// The other replicas' connections, as last read.
    var peers: [ReplicaConnection] {
        state.withLock { $0.peers.values.flatMap { $0 } }
    }

    /// Leased tasks of `process` over the cluster.
    func load(_ process: String) -> Int {
        state.withLock { $0.load(process) }
    }

    // MARK: Routing

    /// Routes a `poll://` message: `nil` to deliver it here (to the address returned), or the outcome of handing
    /// it to another replica.
    func route(_ message: Message, to address: Address) -> (local: Address?, outcome: DeliveryOutcome) {
        let group: String
        switch address {
        case .unicast(let name, _), .anycast(let name, _): group = Address.normalizedGroup(name)
        case .http: return (address, .delivered)
        }
        let local = registry.processes(inGroup: group)
        switch state.withLock({ $0.route(address, localProcesses: local) }) {
        case .local(let process):
            if case .anycast(let name, _) = address { return (.anycast(group: name, process: process), .delivered) }
            return (address, .delivered)
        case .remote(let replica, let process):
            let content: OutboxEntry.Content
            switch message {
            case .execute(let taskID, let version): content = .execute(taskID: taskID, version: version)
            case .unblock(let promise): content = .unblock(promiseID: promise.id)
            }
            let relayed = RelayedMessage(
                replica: replica, sender: bus.replicaID, process: process, address: address.description,
                content: content)
            outgoing.withLock { $0.messages.append(relayed) }
            outgoingSignal.yield()
            relayedCounter.increment()
            return (nil, .relayed)
        case .nobody:
            return (nil, .unreachable)
        }
    }

    // MARK: Service

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.heartbeatLoop() }
                group.addTask { await self.advertiseLoop() }
                group.addTask { await self.listenLoop() }
                group.addTask { await self.refreshLoop() }
                group.addTask { await self.relayLoop() }
                group.addTask { await self.refreshTicker() }
                await group.waitForAll()
            }
        }
        // Tell the others at once, rather than after the liveness timeout, that nothing is connected here. Only
        // a courtesy: bounded, so that shutdown does not wait on a database that is away (after a restart the
        // connection pool may be backing off for many seconds); the others notice within the liveness timeout.
        let bus = self.bus
        let left = await withTimeLimit(Self.leaveTimeout) { () -> Bool in
            do {
                try await bus.leave()
                return true
            } catch {
                return false
            }
        }
        if left != true {
            logger.warning(
                "cannot withdraw this replica; the others will notice it gone",
                metadata: ["outcome": "\(left == nil ? "timed out" : "failed")"])
        }
    }

    /// How long shutdown waits to withdraw this replica from the bus.
    static let leaveTimeout: Duration = .seconds(2)

    private func heartbeatLoop() async {
        let interval = bus.livenessTimeout / 5
        while !Task.isCancelled {
            do {
                if try await bus.heartbeat() { readvertise.yield() }
            } catch {
                logger.warning("replica heartbeat failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Forces an advertisement even without a change of connections.
    private var readvertise: AsyncStream<Void>.Continuation { advertiseRequests.continuation }
    private let advertiseRequests = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    private func advertiseLoop() async {
        let replica = bus.replicaID
        await withTaskGroup(of: Void.self) { group in
            // Changes of the connections here, and requests to advertise again, feed one loop.
            group.addTask {
                for await _ in self.registry.changes { self.readvertise.yield() }
            }
            group.addTask {
                for await _ in self.advertiseRequests.stream {
                    let connections = Set(
                        self.registry.connectedProcesses.map {
                            ReplicaConnection(replica: replica, group: $0.group, process: $0.process)
                        }
                    )
                    do {
                        try await self.bus.advertise(connections)
                    } catch {
                        if Task.isCancelled { return }
                        self.logger.warning("cannot advertise connections", metadata: ["error": "\(error)"])
                        try? await Task.sleep(for: .milliseconds(500))
                        self.readvertise.yield()
                    }
                }
            }
            await withTaskCancellationHandler {
                await group.waitForAll()
            } onCancel: {
                self.registry.finishChanges()
                self.advertiseRequests.continuation.finish()
            }
        }
    }

    private func listenLoop() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await bus.listen { event in
                    switch event {
                    case .connectionsChanged: self.refreshSignal.yield()
                    case .relayed(let message): await self.deliverRelayed(message)
                    case .acknowledged(let acknowledgement): self.relayAcknowledged(acknowledgement)
                    }
                }
                delay = .milliseconds(100)
            } catch {
                if Task.isCancelled { return }
                logger.warning("replica bus disconnected; listening again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    private func refreshTicker() async {
        while !Task.isCancelled {
            refreshSignal.yield()
            try? await Task.sleep(for: Self.refreshInterval)
        }
        refreshSignal.finish()
    }

    private func refreshLoop() async {
        for await _ in refreshSignals {
            do {
                let peers = try await bus.peerConnections()
                let loads = try await bus.leasedTaskCounts()
                let gained = state.withLock { state in
                    state.replaceLoads(loads)
                    return state.replacePeers(peers)
                }
                for group in gained { connectionOpened(group) }
            } catch {
                if Task.isCancelled { return }
                logger.debug("cannot read the cluster's connections", metadata: ["error": "\(error)"])
            }
        }
    }

    private func relayLoop() async {
        await withTaskCancellationHandler {
            for await _ in outgoingSignals {
                let batch = outgoing.withLock { queued in
                    defer { queued = ([], []) }
                    return queued
                }
                guard !batch.messages.isEmpty || !batch.acknowledgements.isEmpty else { continue }
                do {
                    try await bus.relay(batch.messages, acknowledgements: batch.acknowledgements)
                } catch {
                    // Unacknowledged, the messages are routed again by the engine; a lost acknowledgement makes
                    // its message go out twice, which its receiver tolerates (a stale execute is refused).
                    logger.warning(
                        "cannot relay messages",
                        metadata: [
                            "messages": "\(batch.messages.count)",
                            "acknowledgements": "\(batch.acknowledgements.count)",
                            "error": "\(error)",
                        ])
                }
            }
        } onCancel: {
            outgoingSignal.finish()
        }
    }

    /// Delivers a message another replica relayed here, to the process it chose or another of its group here,
    /// and tells the sender whether it reached a connection.
    private func deliverRelayed(_ relayed: RelayedMessage) async {
        receivedCounter.increment()
        guard let delivered = await deliverHere(relayed) else { return }
        outgoing.withLock { $0.acknowledgements.append(relayed.acknowledgement(delivered: delivered)) }
        outgoingSignal.yield()
    }

    /// Writes a relayed message to a connection here: whether one took it, or `nil` when its promise could not be
    /// read (left unacknowledged, so the sender tries again).
    private func deliverHere(_ relayed: RelayedMessage) async -> Bool? {
        // A message that can never be delivered counts as delivered, so the sender lets its row go; say why.
        guard let address = try? Address(parsing: relayed.address) else {
            logger.warning("relayed message with an unreadable address", metadata: ["address": "\(relayed.address)"])
            return true
        }
        let message: Message
        switch relayed.content {
        case .execute(let taskID, let version):
            message = .execute(taskID: taskID, version: version)
        case .unblock(let promiseID):
            let promise: PromiseRecord?
            do {
                promise = try await readPromise(promiseID)
            } catch {
                logger.warning(
                    "cannot read a relayed unblock's promise",
                    metadata: ["promise": "\(promiseID)", "error": "\(error)"])
                return nil
            }
            guard let promise else {
                logger.warning("a relayed unblock's promise does not exist", metadata: ["promise": "\(promiseID)"])
                return true
            }
            message = .unblock(promise: promise)
        }
        let target: Address
        switch address {
        case .anycast(let group, _): target = .anycast(group: group, process: relayed.process)
        default: target = address
        }
        let bytes = message.json(serverURL: serverURL.withLock { $0 })
        guard registry.deliver(bytes, to: target, task: message.task) == .delivered else {
            logger.debug("relayed message found no connection", metadata: ["address": "\(relayed.address)"])
            return false
        }
        metrics.messages(kind: message.kind).increment()
        return true
    }
}
