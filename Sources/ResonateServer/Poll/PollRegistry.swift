// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Metrics
import ResonateEngine
import ResonateProtocol
import Synchronization

/// The live SSE connections of `GET /poll/{group}/{id}`, and delivery of `poll://` messages to them.
final class PollRegistry: Sendable {
    private let state = Mutex(PollRegistryState())
    private let bufferSize: Int
    private let maximumConnections: Int
    private let connectionsGauge = Gauge(label: "resonate_sse_connections")
    private let logger: Logger
    private let load: @Sendable (String) -> Int
    private let now: @Sendable () -> Int64
    private let handedWindow: Int64
    private let connectionEnded: @Sendable ([TaskReference]) -> Void
    private let changeSignal: AsyncStream<Void>.Continuation
    /// Yields after connections open or close (coalesced: one pending signal at most).
    let changes: AsyncStream<Void>

    /// - Parameters:
    ///   - load: the number of tasks a process holds leased, for anycast's choice.
    ///   - now: the time in milliseconds.
    ///   - handedWindow: how long (milliseconds) a connection remembers the tasks it was handed; the engine's retry
    ///     timeout, after which their retry timers send them again anyway.
    ///   - connectionEnded: receives the tasks a connection that ended was handed within `handedWindow`, so that
    ///     those its process never acquired go elsewhere at once.
    init(
        bufferSize: Int,
        maximumConnections: Int,
        logger: Logger,
        load: @escaping @Sendable (String) -> Int,
        now: @escaping @Sendable () -> Int64,
        handedWindow: Int64,
        connectionEnded: @escaping @Sendable ([TaskReference]) -> Void
    ) {
        self.bufferSize = bufferSize
        self.maximumConnections = maximumConnections
        self.logger = logger
        self.load = load
        self.now = now
        self.handedWindow = handedWindow
        self.connectionEnded = connectionEnded
        (changes, changeSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A registered connection: its events, and how to unregister it.
    struct Registration: Sendable {
        let group: String
        let identifier: UInt64
        let events: AsyncStream<PollEvent>
        let continuation: AsyncStream<PollEvent>.Continuation
    }

    enum RegistrationError: Error {
        case atCapacity
    }

    func register(group: String, process: String) throws(RegistrationError) -> Registration {
        let (events, continuation) = AsyncStream.makeStream(
            of: PollEvent.self,
            bufferingPolicy: .bufferingOldest(bufferSize)
        )
        let key = Address.normalizedGroup(group)
        let result = state.withLock {
            $0.register(
                group: key, process: process, continuation: continuation, maximumConnections: maximumConnections)
        }
        switch result {
        case .registered(let identifier):
            connectionsGauge.record(state.withLock { $0.connectionCount })
            changeSignal.yield()
            logger.debug("poll connection opened", metadata: ["group": "\(group)", "process": "\(process)"])
            return Registration(group: key, identifier: identifier, events: events, continuation: continuation)
        case .atCapacity:
            continuation.finish()
            throw .atCapacity
        }
    }

    /// Removes a connection, however its stream ended, and hands the tasks it was recently given to
    /// `connectionEnded`: a message queued or written to a connection going away is not known to have been read.
    func unregister(_ registration: Registration) {
        registration.continuation.finish()
        let (count, handed) = state.withLock { [now, handedWindow] state in
            let handed = state.unregister(
                group: registration.group, identifier: registration.identifier, now: now(), window: handedWindow)
            return (state.connectionCount, handed)
        }
        connectionsGauge.record(count)
        changeSignal.yield()
        if !handed.isEmpty { connectionEnded(handed) }
    }

    /// Queues a message on a connection for `address`.
    ///
    /// - Parameter task: the task, when the message is its `execute`: remembered with the connection, which
    ///   returns it should it end.
    func deliver(_ bytes: [UInt8], to address: Address, task: TaskReference? = nil) -> DeliveryOutcome {
        let load = self.load
        let candidates = state.withLock { $0.candidates(for: address, load: load) }
        var anyFull = false
        for connection in candidates {
            switch connection.continuation.yield(.message(bytes)) {
            case .enqueued:
                guard let task else { return .delivered }
                let noted = state.withLock { [now, handedWindow] in
                    $0.noteHanded(task, to: connection.identifier, at: now(), window: handedWindow)
                }
                // Unregistered between the two: its writer may be gone, so the next connection gets it too.
                if noted { return .delivered }
            case .dropped: anyFull = true
            // A stream that has ended but is not yet unregistered: as good as no connection.
            case .terminated: continue
            @unknown default: continue
            }
        }
        // Parked rather than lost: the next connection of the group receives it.
        guard anyFull else { return .unreachable }
        logger.warning("poll buffers full; message dropped", metadata: ["address": "\(address)"])
        return .dropped
    }

    var connectionCount: Int { state.withLock { $0.connectionCount } }

    var registeredCount: UInt64 { state.withLock { $0.registeredCount } }

    /// The processes connected here in `group` (normalised), without duplicates.
    func processes(inGroup group: String) -> [String] {
        state.withLock { $0.processes(inGroup: group) }
    }

    /// Every (normalised group, process) connected here.
    var connectedProcesses: Set<PollRegistryState.ConnectedProcess> {
        state.withLock { $0.connectedProcesses }
    }

    /// Stops the change signal's stream (on shutdown).
    func finishChanges() { changeSignal.finish() }
}
