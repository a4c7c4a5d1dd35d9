// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Testing

@testable import ResonateServer

@Suite("Anycast choice")
struct PollRegistryStateTests {
    static func registry(_ processes: [String]) -> PollRegistryState {
        var state = PollRegistryState()
        for process in processes {
            let (_, continuation) = AsyncStream.makeStream(of: PollEvent.self)
            _ = state.register(group: "workers", process: process, continuation: continuation, maximumConnections: 100)
        }
        return state
    }

    @Test("equal load: round-robin over the group")
    func roundRobin() {
        var state = Self.registry(["a", "b", "c"])
        let firsts = (0..<6).map { _ in state.candidates(for: .anycast(group: "workers", process: nil)).first!.process }
        #expect(firsts == ["a", "b", "c", "a", "b", "c"])
    }

    @Test("the process holding the fewest leases comes first; round-robin among equals")
    func fewestLeasesFirst() {
        var state = Self.registry(["a", "b", "c"])
        let load = ["a": 2, "b": 0, "c": 0]
        let firsts = (0..<4).map { _ in
            state.candidates(for: .anycast(group: "workers", process: nil), load: { load[$0] ?? 0 }).first!.process
        }
        #expect(firsts == ["b", "b", "c", "b"])
    }

    @Test("a preferred process comes first whatever its load; unicast reaches only it")
    func preferredAndUnicast() {
        var state = Self.registry(["a", "b"])
        let preferred = state.candidates(for: .anycast(group: "workers", process: "a"), load: { $0 == "a" ? 9 : 0 })
        #expect(preferred.map(\.process) == ["a", "b"])
        #expect(state.candidates(for: .unicast(group: "workers", process: "b")).map(\.process) == ["b"])
        #expect(state.candidates(for: .anycast(group: "nobody", process: nil)).isEmpty)
    }
}
