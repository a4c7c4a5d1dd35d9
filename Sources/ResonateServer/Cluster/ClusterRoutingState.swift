// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol

/// Where a `poll://` message goes when several replicas share the store, as a state machine over the cluster's
/// connections and loads.
///
/// Anycast chooses among the group's processes on every replica alike: the one holding the fewest leased tasks
/// (counted in the shared store), in round-robin order among equals, as a single server does among its own
/// connections. Unicast targets are found wherever they are connected; a process preferred by the address
/// (`poll://any@group/id`) too, while it is no busier than its group's average.
struct ClusterRoutingState {
    enum Route: Hashable, Sendable {
        /// Deliver here, to this process if it can take it.
        case local(process: String)
        /// Relay to the replica holding the process's connection.
        case remote(replica: String, process: String)
        /// Nobody is connected for this address anywhere.
        case nobody

        var process: String? {
            switch self {
            case .local(let process), .remote(_, let process): process
            case .nobody: nil
            }
        }
    }

    /// Other replicas' connections, by normalised group.
    private(set) var peers: [String: [ReplicaConnection]] = [:]
    /// Leased tasks per process, over the cluster.
    private(set) var leased: [String: Int] = [:]
    private var rotation: [String: Int] = [:]

    /// Replaces the peers' connections; returns the groups that had no peer connection before and have one now.
    mutating func replacePeers(_ connections: [ReplicaConnection]) -> Set<String> {
        let previous = Set(peers.keys)
        peers = Dictionary(grouping: connections, by: \.group).mapValues {
            $0.sorted { ($0.replica, $0.process) < ($1.replica, $1.process) }
        }
        return Set(peers.keys).subtracting(previous)
    }

    mutating func replaceLoads(_ counts: [String: Int]) {
        leased = counts
    }

    func load(_ process: String) -> Int { leased[process] ?? 0 }

    /// The route of a message to `address`, given the processes of its group connected to this replica.
    mutating func route(_ address: Address, localProcesses: [String]) -> Route {
        switch address {
        case .http:
            return .nobody
        case .unicast(let group, let process):
            if localProcesses.contains(process) { return .local(process: process) }
            if let peer = peers[Address.normalizedGroup(group)]?.first(where: { $0.process == process }) {
                return .remote(replica: peer.replica, process: process)
            }
            return .nobody
        case .anycast(let group, let preferred):
            let key = Address.normalizedGroup(group)
            let remote = peers[key] ?? []
            let slots: [Route] =
                localProcesses.map { .local(process: $0) }
                + remote.map { .remote(replica: $0.replica, process: $0.process) }
            guard !slots.isEmpty else { return .nobody }
            // The preferred process (say, the one that has the execution in memory) while it is no busier than the
            // group's average, as on a single server: a preference must not pile work on one worker.
            if let preferred, let slot = slots.first(where: { $0.process == preferred }),
                load(preferred) * slots.count <= slots.reduce(0, { $0 + load(of: $1) })
            {
                return slot
            }
            let start = (rotation[key] ?? 0) % slots.count
            rotation[key] = start + 1
            let rotated = Array(slots[start...] + slots[..<start])
            // The first of the least loaded, in rotated order (min keeps the first of equal elements).
            return rotated.enumerated().min { (load(of: $0.element), $0.offset) < (load(of: $1.element), $1.offset) }!
                .element
        }
    }

    private func load(of route: Route) -> Int {
        route.process.map(load) ?? Int.max
    }
}
