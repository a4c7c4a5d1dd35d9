// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol
import Testing

@testable import ResonateEngine

@Suite("Preload cache")
struct PreloadCacheTests {
    struct Injected: Error {}

    static func member(_ index: Int, branch: String = "wf", state: PromiseState = .pending) -> PromiseRecord {
        PromiseRecord(
            id: "\(branch):\(index)",
            state: state,
            param: Value(headers: ["h": "\(index)"], data: "cGFyYW0="),
            value: state == .pending ? .empty : Value(data: "dmFsdWU="),
            tags: [Tag.branch: branch, Tag.parent: branch, "resonate:scope": "local"],
            timeoutAt: 10_000,
            createdAt: Int64(index),
            settledAt: state == .pending ? nil : 5_000
        )
    }

    /// Two stores on one file's worth of content: one with the cache, one without, fed the same writes.
    struct Pair {
        let cached: SQLiteStore
        let plain: SQLiteStore
        let paths: [String]

        init() throws {
            let directory = FileManager.default.temporaryDirectory
            paths = (0..<2).map {
                directory.appendingPathComponent("resonate-preload-\($0)-\(UUID().uuidString).db").path
            }
            cached = try SQLiteStore(configuration: .init(location: .file(paths[0])))
            plain = try SQLiteStore(configuration: .init(location: .file(paths[1]), preloadCacheBytes: 0))
        }

        func remove() {
            for path in paths {
                for suffix in ["", "-wal", "-shm", ".lock"] {
                    try? FileManager.default.removeItem(atPath: path + suffix)
                }
            }
        }

        func write(_ body: @escaping @Sendable (SQLiteTransaction) async throws -> Void) async throws {
            try await cached.write(body)
            try await plain.write(body)
        }

        /// The branch's preload from both stores, read in a write transaction and in a read transaction.
        func preloads(_ branch: String = "wf") async throws -> [[PromiseRecord]] {
            var all: [[PromiseRecord]] = []
            for store in [cached, plain] {
                all.append(try await store.write { try await $0.promises(inBranch: branch, excluding: branch) })
                all.append(try await store.read { try await $0.promises(inBranch: branch, excluding: branch) })
            }
            return all
        }
    }

    @Test("a changed record drops its rendered JSON, and equality ignores it")
    func renderedJSONFollowsChanges() throws {
        var record = Self.member(1).encoded()
        #expect(record.encodedByteCount != nil)
        #expect(record == Self.member(1))
        record.state = .resolved
        #expect(record.encodedByteCount == nil)
        var writer = JSONWriter()
        record.write(to: &writer)
        #expect(writer.text.contains(#""state":"resolved""#))
    }

    @Test("a branch's members come sorted by the bytes of their ids, without the one excluded")
    func membersExcludeAndSort() {
        let index = BranchIndex(byteBudget: 1 << 20)
        let precomposed = "wf:\u{E9}"
        let decomposed = "wf:e\u{301}"
        let ids = ["wf:10", "wf:2", precomposed, decomposed, "wf:1"]
        let root = PromiseRecord(id: "wf", state: .pending, tags: [Tag.branch: "wf"], timeoutAt: 1, createdAt: 0)
        index.load(
            "wf",
            members: [root]
                + ids.map {
                    PromiseRecord(id: $0, state: .pending, tags: [Tag.branch: "wf"], timeoutAt: 1, createdAt: 0)
                })

        // SQLite's binary order: "wf:e" + U+0301 (0x65) before "wf:é" (0xC3 0xA9); Swift's `<` calls them equal.
        #expect(
            index.members(of: "wf", excluding: "wf")?.map(\.id) == ["wf:1", "wf:10", "wf:2", decomposed, precomposed])
        #expect(
            index.members(of: "wf", excluding: precomposed)?.map(\.id) == ["wf", "wf:1", "wf:10", "wf:2", decomposed])
        #expect(index.members(of: "other", excluding: "other") == nil)
    }

    @Test("rolling back to a mark undoes later insertions, settlements and loads, newest first")
    func rollBackRestoresMembers() throws {
        let index = BranchIndex(byteBudget: 1 << 20)
        index.load("wf", members: (0..<3).map { Self.member($0) })
        index.commit()
        let committed = try #require(index.members(of: "wf", excluding: "wf"))
        let bytes = index.bytes
        let mark = index.changeCount

        index.inserted(Self.member(7))
        index.settled(id: "wf:1", state: .resolved, value: Value(data: "dmFsdWU="), settledAt: 5_000)
        index.settled(id: "wf:7", state: .rejected, value: .empty, settledAt: 6_000)
        index.load("other", members: [Self.member(0, branch: "other")])
        let inside = try #require(index.members(of: "wf", excluding: "wf"))
        #expect(inside.map(\.id) == ["wf:0", "wf:1", "wf:2", "wf:7"])
        #expect(inside.map(\.state) == [.pending, .resolved, .pending, .rejected])

        index.rollBack(to: mark)
        #expect(index.members(of: "wf", excluding: "wf") == committed)
        #expect(index.members(of: "other", excluding: "other") == nil)
        #expect(index.bytes == bytes)
        // The settlement of a member the index no longer holds changes nothing.
        index.settled(id: "wf:7", state: .resolved, value: .empty, settledAt: 7_000)
        #expect(index.members(of: "wf", excluding: "wf") == committed)
    }

    @Test("past the byte budget, a commit drops the branches read least recently")
    func commitEvictsLeastRecentlyUsedBranches() {
        let one = Self.member(0).encoded().encodedByteCount!
        // Room for about ten members: five branches of two.
        let index = BranchIndex(byteBudget: one * 10 + 30)
        for branch in 0..<5 {
            index.load("b\(branch)", members: (0..<2).map { Self.member($0, branch: "b\(branch)") })
        }
        index.commit()
        #expect((0..<5).allSatisfy { index.members(of: "b\($0)", excluding: "b\($0)") != nil })
        _ = index.members(of: "b0", excluding: "b0")
        index.load("b5", members: (0..<2).map { Self.member($0, branch: "b5") })
        index.load("b6", members: (0..<2).map { Self.member($0, branch: "b6") })
        index.commit()

        #expect(index.bytes <= one * 10 + 30)
        let held = (0..<7).filter { index.members(of: "b\($0)", excluding: "b\($0)") != nil }
        // Down to three quarters of the budget: three branches of two; b0 was read again, b5 and b6 are newest.
        #expect(held == [0, 5, 6], "\(held)")
    }

    @Test("preloads with the cache equal those without, as members are added and settled, in either transaction")
    func preloadMatchesStore() async throws {
        let stores = try Pair()
        defer { stores.remove() }
        for round in 0..<40 {
            try await stores.write { transaction in
                try await transaction.insertPromise(Self.member(round))
                if round % 3 == 2 {
                    try await transaction.settlePromise(
                        id: "wf:\(round - 1)", state: .resolved, value: Value(data: "dmFsdWU="), settledAt: 5_000)
                }
            }
            let preloads = try await stores.preloads()
            #expect(preloads.allSatisfy { $0 == preloads[3] }, "round \(round)")
            #expect(preloads[0].count == round + 1)
        }
        let states = try await stores.preloads()[0].map(\.state)
        #expect(states.filter { $0 == .resolved }.count == 13)
    }

    @Test("a settlement that was rolled back is never served from the cache")
    func rolledBackSettlementIsNotCached() async throws {
        let stores = try Pair()
        defer { stores.remove() }
        // Long enough for the branch index to hold the branch.
        try await stores.write { transaction in
            for index in 0..<BranchIndex.minimumMembers { try await transaction.insertPromise(Self.member(index)) }
        }
        _ = try await stores.preloads()
        @Sendable func second(_ preload: [PromiseRecord]) -> PromiseRecord? { preload.first { $0.id == "wf:2" } }
        for store in [stores.cached, stores.plain] {
            await #expect(throws: Injected.self) {
                try await store.write { transaction in
                    try await transaction.settlePromise(
                        id: "wf:2", state: .resolved, value: Value(data: "bG9zdA=="), settledAt: 4_000)
                    let inside = try await transaction.promises(inBranch: "wf", excluding: "wf")
                    #expect(second(inside)?.state == .resolved)
                    throw Injected()
                }
            }
        }
        let afterRollback = try await stores.preloads()
        #expect(afterRollback.allSatisfy { second($0)?.state == .pending && $0 == afterRollback[3] })
        // Settled for real, differently: the answer is the committed value, not the rolled-back one.
        try await stores.write { transaction in
            try await transaction.settlePromise(
                id: "wf:2", state: .resolved, value: Value(data: "a2VwdA=="), settledAt: 6_000)
        }
        let settled = try await stores.preloads()
        #expect(settled.allSatisfy { second($0)?.value.data == "a2VwdA==" && second($0)?.settledAt == 6_000 })
    }

    @Test("a branch below the index's minimum length is answered from the store, and again once it reaches it")
    func shortBranchesStayOut() async throws {
        let stores = try Pair()
        defer { stores.remove() }
        try await stores.write { transaction in
            for index in 0..<(BranchIndex.minimumMembers - 1) {
                try await transaction.insertPromise(Self.member(index))
            }
        }
        let short = try await stores.preloads()
        #expect(short.allSatisfy { $0 == short[3] && $0.count == BranchIndex.minimumMembers - 1 })
        try await stores.write { try await $0.insertPromise(Self.member(99)) }
        let long = try await stores.preloads()
        #expect(long.allSatisfy { $0 == long[3] && $0.count == BranchIndex.minimumMembers })
    }

    @Test("in a shared commit, a job that fails alone leaves nothing of its own in the cache")
    func failedJobInBatchIsNotCached() async throws {
        let stores = try Pair()
        defer { stores.remove() }
        try await stores.write { transaction in
            for index in 0..<50 { try await transaction.insertPromise(Self.member(index)) }
        }
        // Many concurrent jobs share transactions; every third settles a member, reads the preload, then fails.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try? await stores.cached.write { transaction in
                        try await transaction.settlePromise(
                            id: "wf:\(index)", state: .rejected, value: .empty, settledAt: 7_000)
                        _ = try await transaction.promises(inBranch: "wf", excluding: "wf")
                        if index % 3 == 0 { throw Injected() }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await stores.plain.write { transaction in
            for index in 0..<50 where index % 3 != 0 {
                try await transaction.settlePromise(
                    id: "wf:\(index)", state: .rejected, value: .empty, settledAt: 7_000)
            }
        }
        let preloads = try await stores.preloads()
        #expect(preloads.allSatisfy { $0 == preloads[3] })
        #expect(preloads[0].filter { $0.state == .pending }.map(\.id).count == 17)
    }
}
