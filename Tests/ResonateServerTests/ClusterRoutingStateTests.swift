// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Testing

@testable import ResonateServer

@Suite("Routing across replicas")
struct ClusterRoutingStateTests {
    static let peers = [
        ReplicaConnection(replica: "r2", group: "workers", process: "b"),
        ReplicaConnection(replica: "r3", group: "workers", process: "c"),
        ReplicaConnection(replica: "r2", group: "clients", process: "client"),
    ]

    @Test(
        "unicast and preferred processes are found on whichever replica holds them",
        arguments: [
            ("poll://uni@workers/a", ["a"], ClusterRoutingState.Route.local(process: "a")),
            ("poll://uni@workers/b", ["a"], .remote(replica: "r2", process: "b")),
            ("poll://uni@Clients/client", [], .remote(replica: "r2", process: "client")),
            ("poll://uni@workers/z", ["a"], .nobody),
            ("poll://any@workers/c", ["a"], .remote(replica: "r3", process: "c")),
            ("poll://any@workers/a", ["a"], .local(process: "a")),
            ("poll://any@nobody", [], .nobody),
        ]
    )
    func directRoutes(address: String, local: [String], expected: ClusterRoutingState.Route) throws {
        var state = ClusterRoutingState()
        _ = state.replacePeers(Self.peers)
        #expect(state.route(try Address(parsing: address), localProcesses: local) == expected)
    }

    @Test("anycast takes the least loaded process of any replica, round-robin among equals")
    func anycastBalances() throws {
        var state = ClusterRoutingState()
        _ = state.replacePeers(Self.peers)
        let address = try Address(parsing: "poll://any@workers")
        var chosen: [ClusterRoutingState.Route] = []
        for _ in 0..<3 { chosen.append(state.route(address, localProcesses: ["a"])) }
        #expect(
            Set(chosen) == [
                .local(process: "a"), .remote(replica: "r2", process: "b"), .remote(replica: "r3", process: "c"),
            ])
        state.replaceLoads(["a": 2, "b": 1, "c": 0])
        for _ in 0..<3 { #expect(state.route(address, localProcesses: ["a"]) == .remote(replica: "r3", process: "c")) }
    }

    @Test(
        "a preferred process on any replica is chosen while it is no busier than its group's average",
        arguments: [
            // (loads of a, b, c; preferred; expected)
            ([0, 0, 0], "c", ClusterRoutingState.Route.remote(replica: "r3", process: "c")),
            ([1, 1, 1], "b", .remote(replica: "r2", process: "b")),
            ([0, 2, 4], "b", .remote(replica: "r2", process: "b")),
            ([0, 2, 4], "c", .local(process: "a")),
            ([3, 0, 0], "a", .remote(replica: "r2", process: "b")),
            ([0, 0, 0], "a", .local(process: "a")),
            ([0, 1, 1], "z", .local(process: "a")),
        ]
    )
    func preferredWithinAverage(loads: [Int], preferred: String, expected: ClusterRoutingState.Route) throws {
        var state = ClusterRoutingState()
        _ = state.replacePeers(Self.peers)
        state.replaceLoads(["a": loads[0], "b": loads[1], "c": loads[2]])
        let address = try Address(parsing: "poll://any@workers/\(preferred)")
        #expect(state.route(address, localProcesses: ["a"]) == expected)
    }

    @Test("groups that gain a connection on another replica are reported, so parked messages go out")
    func gainedGroups() {
        var state = ClusterRoutingState()
        #expect(state.replacePeers(Array(Self.peers.prefix(1))) == ["workers"])
        #expect(state.replacePeers(Self.peers) == ["clients"])
        #expect(state.replacePeers([]).isEmpty)
        #expect(state.replacePeers(Self.peers) == ["workers", "clients"])
    }
}
