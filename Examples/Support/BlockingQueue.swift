// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Dispatch

/// Runs blocking calls (SQLite, `fsync`) one at a time on a thread of their own.
///
/// Swift's cooperative pool has a thread per core. A durable step that blocks one of them in a disk write holds up
/// every other execution of the process meanwhile (on two cores, two such steps stop the worker), so blocking work
/// is handed to this queue and awaited instead.
///
/// ```swift
/// let disk = BlockingQueue(label: "records")
/// let remaining = try await disk.run { try database.deleteRows(of: id, below: 30).remaining }
/// ```
public final class BlockingQueue: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the queue's thread, after the work queued before it; returns or throws what it does.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
