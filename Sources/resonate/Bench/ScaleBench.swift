// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateEngine
import ResonateProtocol

/// Fills a SQLite database with many promises before a server opens it.
///
/// The load goes through the same engine and store the server uses (`Engine.execute(.promiseCreate …)`), in
/// this process and without HTTP: thousands of creates are in flight at once, so the store's group commit puts
/// up to its batch limit of them in each transaction and fsync. The promises are pending, with a deadline a day
/// away, and carry a tag `bench:shard` with one of `shards` values, so a search by tag matches `count / shards`
/// of them.
enum ScaleBench {
    struct Load: Codable, Sendable {
        var promises: Int
        var shards: Int
        var seconds: Double
        var promisesPerSecond: Double
    }

    /// Creates `count` promises in the SQLite database at `path` (which no server may hold open).
    static func load(path: String, count: Int, shards: Int, inFlight: Int = 4096) async throws -> Load {
        let clock = ContinuousClock()
        let start = clock.now
        try await fill(path: path, count: count, shards: shards, inFlight: inFlight)
        let seconds = (clock.now - start).inSeconds
        return Load(promises: count, shards: shards, seconds: seconds, promisesPerSecond: Double(count) / seconds)
    }

    /// The store lives only inside this function, so its file lock is released when it returns.
    private static func fill(path: String, count: Int, shards: Int, inFlight: Int) async throws {
        let engine = Engine(store: try SQLiteStore(location: .file(path)))
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000
        try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            func startOne() {
                let index = next
                next += 1
                group.addTask {
                    let create = PromiseCreate(
                        id: "scale-\(index)", timeoutAt: deadline, tags: ["bench:shard": "s\(index % shards)"])
                    return await engine.execute(.promiseCreate(create)).status
                }
            }
            while next < min(inFlight, count) { startOne() }
            while let status = try await group.next() {
                guard status == 200 else { throw BenchError("bulk promise.create answered \(status)") }
                if next < count { startOne() }
            }
        }
    }
}
