// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateEngine
import ResonateProtocol
import Testing

@Suite("SQLite group commit")
struct GroupCommitTests {
    struct Injected: Error {}

    func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("resonate-\(UUID().uuidString).db").path
    }

    @Test("concurrent writes share transactions, and a failing write rolls back alone")
    func concurrentWritesShareCommits() async throws {
        let path = temporaryDatabase()
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SQLiteStore(location: .file(path))
        let writes = 300
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<writes {
                group.addTask {
                    do {
                        try await store.write { transaction in
                            try await transaction.insertPromise(
                                PromiseRecord(id: "p\(index)", state: .pending, timeoutAt: 1, createdAt: 0)
                            )
                            if index % 3 == 0 { throw Injected() }
                        }
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            var outcomes: [Int: Bool] = [:]
            for await (index, succeeded) in group { outcomes[index] = succeeded }
            return outcomes
        }
        let stored = Set(try await store.read { try await $0.snapshot() }.promises.map(\.id))
        for index in 0..<writes {
            #expect(outcomes[index] == (index % 3 != 0))
            #expect(stored.contains("p\(index)") == (index % 3 != 0))
        }
        #expect(store.committedBatches < writes / 2, "expected shared commits, got \(store.committedBatches)")
    }

    @Test("a write is visible to readers once it returns, also after reopening the file")
    func writesAreDurableAcrossReopen() async throws {
        let path = temporaryDatabase()
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        do {
            let store = try SQLiteStore(location: .file(path))
            try await store.write { transaction in
                try await transaction.insertPromise(
                    PromiseRecord(id: "kept", state: .pending, timeoutAt: 9, createdAt: 1))
            }
            #expect(try await store.read { try await $0.promise(id: "kept") } != nil)
        }
        let reopened = try SQLiteStore(location: .file(path))
        #expect(try await reopened.read { try await $0.promise(id: "kept") }?.timeoutAt == 9)
    }

    @Test("readers see every write committed before the read began, however many reads came before")
    func readersFollowCommits() async throws {
        let path = temporaryDatabase()
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SQLiteStore(location: .file(path))
        for index in 0..<5 {
            try await store.write { transaction in
                try await transaction.insertPromise(
                    PromiseRecord(id: "p\(index)", state: .pending, timeoutAt: 9, createdAt: 1)
                )
            }
            // A single-row lookup stops before the end of its statement; that must not pin the snapshot.
            #expect(try await store.read { try await $0.promise(id: "p\(index)") } != nil)
            #expect(try await store.read { try await $0.snapshot() }.promises.count == index + 1)
        }
    }

    @Test("a second store cannot open a database that is in use")
    func exclusiveLock() throws {
        let path = temporaryDatabase()
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let first = try SQLiteStore(location: .file(path))
        #expect(throws: SQLiteError.self) { _ = try SQLiteStore(location: .file(path)) }
        _ = first
    }
}
