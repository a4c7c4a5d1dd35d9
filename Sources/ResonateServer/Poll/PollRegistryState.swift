// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol

/// Which SSE connections exist, and which one a message goes to, as a state machine.
///
/// Anycast spreads work round-robin over a group's connections (the reference server picks one at random, which
/// clusters work on small groups) and falls back to the next connection when one's buffer is full, instead of
/// dropping the message.
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
    private(set) var connectionCount = 0

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
        connectionCount += 1
        return .registered(identifier: nextIdentifier)
    }

    mutating func unregister(group: String, identifier: UInt64) {
        guard var connections = groups[group],
            let index = connections.firstIndex(where: { $0.identifier == identifier })
        else { return }
        connections.remove(at: index)
        connectionCount -= 1
        if connections.isEmpty {
            groups.removeValue(forKey: group)
            nextRoundRobin.removeValue(forKey: group)
        } else {
            groups[group] = connections
        }
    }

    /// The connections to try, in order, for a message to `address`; empty when nobody is connected.
    mutating func candidates(for address: Address) -> [Connection] {
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
            let rotated = Array(connections[start...] + connections[..<start])
            guard let process else { return rotated }
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
