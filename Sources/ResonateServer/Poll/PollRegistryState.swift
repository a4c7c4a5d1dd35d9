// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
import ResonateEngine
import ResonateProtocol

/// Which SSE connections exist, and which one a message goes to, as a state machine.
///
/// Anycast prefers the connection whose process holds the fewest leased tasks, taking connections in round-robin
/// order among equals (the reference server picks one at random, which clusters work on small groups), and falls
/// back to the next connection when one's buffer is full instead of dropping the message.
struct PollRegistryState {
    struct Connection {
        let identifier: UInt64
        let process: String
        let continuation: AsyncStream<PollEvent>.Continuation
    }

    /// Connections by normalised group, in registration order.
    private(set) var groups: [String: [Connection]] = [:]
    private var nextRoundRobin: [String: Int] = [:]
    private var nextIdentifier: UInt64 = 0
    /// Every connection registered so far, including those that have ended.
    var registeredCount: UInt64 { nextIdentifier }
    private(set) var connectionCount = 0
    /// The tasks whose `execute` each connection was handed, oldest first, with when: a connection that ends
    /// returns them so that those still unacquired go to another process at once.
    private var handedTasks: [UInt64: Deque<(task: TaskReference, at: Int64)>] = [:]

    enum RegisterResult {
        case registered(identifier: UInt64)
        case atCapacity
    }

    mutating func register(
        group: String,
        process: String,
        continuation: AsyncStream<PollEvent>.Continuation,
        maximumConnections: Int
    ) -> RegisterResult {
        guard connectionCount < maximumConnections else { return .atCapacity }
        nextIdentifier += 1
        groups[group, default: []].append(
            Connection(identifier: nextIdentifier, process: process, continuation: continuation)
        )
        handedTasks[nextIdentifier] = []
        connectionCount += 1
        return .registered(identifier: nextIdentifier)
    }

    /// The most handed tasks a connection remembers (the oldest go first): a bound on memory under a flood, whose
    /// forgotten tasks still have their retry timers.
    static let maximumHandedTasks = 16_384

    /// Notes that connection `identifier` was handed the `execute` of `task` at `now`, forgetting what it was
    /// handed more than `window` milliseconds ago (by then the task's retry timer has sent it again anyway).
    /// Returns `false` when the connection has been unregistered meanwhile, so the message may not be read.
    mutating func noteHanded(_ task: TaskReference, to identifier: UInt64, at now: Int64, window: Int64) -> Bool {
        // Taken out and put back, so that the deque is mutated in place rather than copied.
        guard var handed = handedTasks.removeValue(forKey: identifier) else { return false }
        handed.append((task, now))
        while let oldest = handed.first, oldest.at < now - window || handed.count > Self.maximumHandedTasks {
            handed.removeFirst()
        }
        handedTasks[identifier] = handed
        return true
    }

    /// Removes connection `identifier`; returns the tasks it was handed within the last `window` milliseconds.
    mutating func unregister(group: String, identifier: UInt64, now: Int64, window: Int64) -> [TaskReference] {
        let handed = handedTasks.removeValue(forKey: identifier) ?? []
        guard var connections = groups[group],
            let index = connections.firstIndex(where: { $0.identifier == identifier })
        else { return [] }
        connections.remove(at: index)
        connectionCount -= 1
        if connections.isEmpty {
            groups.removeValue(forKey: group)
            nextRoundRobin.removeValue(forKey: group)
        } else {
            groups[group] = connections
        }
        return handed.filter { $0.at >= now - window }.map(\.task)
    }

    struct ConnectedProcess: Hashable, Sendable {
        var group: String
        var process: String
    }

    func processes(inGroup group: String) -> [String] {
        var seen = Set<String>()
        return (groups[group] ?? []).compactMap { seen.insert($0.process).inserted ? $0.process : nil }
    }

    var connectedProcesses: Set<ConnectedProcess> {
        Set(
            groups.flatMap { group, connections in
                connections.map { ConnectedProcess(group: group, process: $0.process) }
            })
    }

    /// The connections to try, in order, for a message to `address`; empty when nobody is connected.
    ///
    /// - Parameter load: the number of tasks a process holds leased.
    mutating func candidates(for address: Address, load: (String) -> Int = { _ in 0 }) -> [Connection] {
        switch address {
        case .http:
            return []
        case .unicast(let group, let process):
            return (groups[Address.normalizedGroup(group)] ?? []).filter { $0.process == process }
        case .anycast(let group, let process):
            let key = Address.normalizedGroup(group)
            guard let connections = groups[key], !connections.isEmpty else { return [] }
            let start = (nextRoundRobin[key] ?? 0) % connections.count
            nextRoundRobin[key] = start + 1
            var rotated = Array(connections[start...] + connections[..<start])
            guard rotated.count > 1 else { return rotated }
            let loads = Dictionary(
                rotated.map { ($0.process, load($0.process)) }, uniquingKeysWith: { first, _ in first })
            // A stable sort keeps the round-robin order among processes with equal load.
            rotated = rotated.enumerated()
                .sorted {
                    ((loads[$0.element.process] ?? 0), $0.offset) < ((loads[$1.element.process] ?? 0), $1.offset)
                }
                .map(\.element)
            // The preferred process goes first while it is no busier than the group's average: a preference (say,
            // the process that has the execution in memory) must not pile work on one worker.
            guard let process, let preferredLoad = loads[process],
                preferredLoad * loads.count <= loads.values.reduce(0, +)
            else { return rotated }
            return rotated.filter { $0.process == process } + rotated.filter { $0.process != process }
        }
    }
}

/// What an SSE connection's writer sends.
enum PollEvent: Sendable {
    /// A message, already serialised.
    case message([UInt8])
    /// A `:` comment that keeps the stream alive.
    case keepAlive
}
