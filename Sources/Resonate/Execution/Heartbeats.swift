// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// The leases this process holds, renewed together by one `task.heartbeat` every ttl/3.
final class Heartbeats: Sendable {
    private struct Lease {
        let version: Int64
        /// When to stop renewing (a timer task needs its lease only until its deadline).
        let until: Int64?
    }

    private let leases = Mutex<[String: Lease]>([:])

    func add(_ taskID: String, version: Int64, until: Int64? = nil) {
        leases.withLock { $0[taskID] = Lease(version: version, until: until) }
    }

    func remove(_ taskID: String, version: Int64) {
        leases.withLock { leases in
            if leases[taskID]?.version == version { leases.removeValue(forKey: taskID) }
        }
    }

    /// The leases to renew at `now`; leases past their `until` are dropped.
    func due(at now: Int64) -> [TaskReference] {
        leases.withLock { leases in
            leases = leases.filter { $0.value.until.map { now < $0 } ?? true }
            return leases.map { TaskReference(id: $0.key, version: $0.value.version) }.sorted { $0.id < $1.id }
        }
    }

    var count: Int { leases.withLock { $0.count } }
}
