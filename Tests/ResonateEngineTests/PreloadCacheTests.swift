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

    @Test("a lookup hits only the same id in the same state, and writes the rendered JSON as the record's own")
    func lookupMatchesIDAndState() throws {
        let cache = EncodedPromiseCache(byteBudget: 1 << 20)
        let pending = Self.member(1).encoded()
        cache.publish([pending])
        var found: [PromiseRecord] = []
        let missing = cache.lookup(
            [("wf:1", .pending), ("wf:1", .resolved), ("wf:2", .pending)], appendingTo: &found)

        #expect(found == [pending])
        #expect(missing == [1, 2])
        var fromCache = JSONWriter()
        found[0].write(to: &fromCache)
        var rendered = JSONWriter()
        Self.member(1).write(to: &rendered)
        #expect(fromCache.bytes == rendered.bytes)
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

    @Test("the byte budget holds, and records read again outlive those nobody read")
    func budgetEvictsLeastRecentlyUsed() throws {
        let one = Self.member(0).encoded().encodedByteCount!
        // Room for about twenty records.
        let cache = EncodedPromiseCache(byteBudget: one * 20 + 30)
        func missing(_ indices: some Sequence<Int>) -> [Int] {
            let keys = indices.map { (id: "wf:\($0)", state: PromiseState.pending) }
            var found: [PromiseRecord] = []
            return cache.lookup(keys, appendingTo: &found).map { Int(keys[$0].id.dropFirst(3))! }
        }
        cache.publish((0..<18).map { Self.member($0).encoded() })
        #expect(missing(0..<18).isEmpty, "the budget holds eighteen")
        #expect(missing([0, 1, 2]).isEmpty)
        cache.publish((18..<24).map { Self.member($0).encoded() })

        let gone = missing(0..<24)
        #expect(cache.bytes <= one * 20 + 30)
        // Over the budget, it dropped to three quarters of it: about six records went, all of them ones nobody
        // read again (which of those, among equals, is the dictionary's order).
        #expect(gone.count >= 5, "\(gone)")
        #expect(gone.allSatisfy { (3..<18).contains($0) }, "records read again, and the newest, are kept: \(gone)")
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
        try await stores.write { transaction in
            for index in 0..<5 { try await transaction.insertPromise(Self.member(index)) }
        }
        for store in [stores.cached, stores.plain] {
            await #expect(throws: Injected.self) {
                try await store.write { transaction in
                    try await transaction.settlePromise(
                        id: "wf:2", state: .resolved, value: Value(data: "bG9zdA=="), settledAt: 4_000)
                    let inside = try await transaction.promises(inBranch: "wf", excluding: "wf")
                    #expect(inside[2].state == .resolved)
                    throw Injected()
                }
            }
        }
        let afterRollback = try await stores.preloads()
        #expect(afterRollback.allSatisfy { $0[2].state == .pending && $0 == afterRollback[3] })
        // Settled for real, differently: the answer is the committed value, not the rolled-back one.
        try await stores.write { transaction in
            try await transaction.settlePromise(
                id: "wf:2", state: .resolved, value: Value(data: "a2VwdA=="), settledAt: 6_000)
        }
        let settled = try await stores.preloads()
        #expect(settled.allSatisfy { $0[2].value.data == "a2VwdA==" && $0[2].settledAt == 6_000 })
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
