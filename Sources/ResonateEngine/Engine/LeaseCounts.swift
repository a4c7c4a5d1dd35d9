// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// How many tasks each process holds leased, kept from the engine's own transitions.
///
/// Anycast delivery prefers the connected process with the fewest leases, so work flows to the workers with
/// spare capacity instead of piling up behind a slow one. The counts are a dispatch hint, not a source of truth:
/// they are rebuilt from the store when the engine starts.
final class LeaseCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func apply(_ changes: [String: Int]) {
        guard !changes.isEmpty else { return }
        counts.withLock { counts in
            for (pid, change) in changes {
                let value = max(0, counts[pid, default: 0] + change)
                counts[pid] = value == 0 ? nil : value
            }
        }
    }

    func replace(with fresh: [String: Int]) {
        counts.withLock { $0 = fresh }
    }

    func count(_ pid: String) -> Int {
        counts.withLock { $0[pid, default: 0] }
    }
}
