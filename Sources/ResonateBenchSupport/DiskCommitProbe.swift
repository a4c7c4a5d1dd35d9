// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateEngine
import ResonateProtocol

/// Measures the physical limit of durable writes on a disk: single-row SQLite commits per second in WAL mode
/// with `synchronous=FULL`, one fsync each — the rate a server without group commit could not exceed.
public enum DiskCommitProbe {
    /// Commits single rows to a scratch database in `directory` for `duration`; returns commits per second.
    public static func commitsPerSecond(directory: String, duration: Duration) throws -> Double {
        let path = (directory as NSString).appendingPathComponent("disk-probe-\(UUID().uuidString).db")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let connection = try SQLiteConnection(path: path)
        try connection.execute("PRAGMA journal_mode = WAL")
        try connection.execute("PRAGMA synchronous = FULL")
        try connection.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        let clock = ContinuousClock()
        let start = clock.now
        var commits = 0
        while clock.now - start < duration {
            try connection.execute("BEGIN IMMEDIATE")
            try connection.execute("INSERT INTO probe (payload) VALUES ('payload-\(commits)')")
            try connection.execute("COMMIT")
            commits += 1
        }
        let elapsed = clock.now - start
        return Double(commits) / elapsed.inSeconds
    }
}
