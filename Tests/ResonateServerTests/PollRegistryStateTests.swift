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

    @Test(
        "a preferred process comes first unless it is busier than its group's average",
        arguments: [
            // (leases of a, of b, of c, first candidate) with "a" preferred
            (0, 0, 0, "a"),
            (3, 3, 3, "a"),
            (1, 0, 2, "a"),
            (2, 0, 1, "b"),
            (9, 0, 0, "b"),
        ]
    )
    func preferredUnlessBusy(a: Int, b: Int, c: Int, first: String) {
        var state = Self.registry(["a", "b", "c"])
        let load = ["a": a, "b": b, "c": c]
        let candidates = state.candidates(
            for: .anycast(group: "workers", process: "a"), load: { load[$0] ?? 0 })
        #expect(candidates.first?.process == first)
        #expect(Set(candidates.map(\.process)) == ["a", "b", "c"])
    }

    @Test("a preferred process that is not connected is no obstacle; unicast reaches only its process")
    func absentPreferredAndUnicast() {
        var state = Self.registry(["a", "b"])
        let candidates = state.candidates(for: .anycast(group: "workers", process: "gone"))
        #expect(Set(candidates.map(\.process)) == ["a", "b"])
        #expect(state.candidates(for: .unicast(group: "workers", process: "b")).map(\.process) == ["b"])
        #expect(state.candidates(for: .anycast(group: "nobody", process: nil)).isEmpty)
    }

    @Test("a connection remembers at most so many handed tasks, the newest")
    func handedTasksAreBounded() {
        var state = Self.registry(["a"])
        let limit = PollRegistryState.maximumHandedTasks
        for index in 0...limit {
            let noted = state.noteHanded(TaskReference(id: "t\(index)", version: 0), to: 1, at: 0, window: 1_000)
            #expect(noted)
        }
        let handed = state.unregister(group: "workers", identifier: 1, now: 0, window: 1_000)
        #expect(handed.count == limit)
        #expect(handed.first?.id == "t1")
        #expect(handed.last?.id == "t\(limit)")
        // Gone with its connection.
        let late = state.noteHanded(TaskReference(id: "late", version: 0), to: 1, at: 0, window: 1_000)
        #expect(!late)
    }
}
