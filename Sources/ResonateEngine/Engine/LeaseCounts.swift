// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The working tasks each process holds leased, kept from the engine's own transitions.
///
/// Anycast delivery prefers the connected process holding the fewest, so work flows to the workers with spare
/// capacity instead of piling up behind a slow one. Leases on durable sleeps' tasks do not count: they are not
/// work. The sets are a dispatch hint, not a source of truth, rebuilt from the store when the engine starts.
final class LeaseCounts: Sendable {
    private let leases = Mutex<[String: Set<String>]>([:])

    func apply(begun: [LeaseReference], ended: [LeaseReference]) {
        guard !begun.isEmpty || !ended.isEmpty else { return }
        leases.withLock { leases in
            for lease in ended {
                leases[lease.process]?.remove(lease.task)
                if leases[lease.process]?.isEmpty == true { leases.removeValue(forKey: lease.process) }
            }
            for lease in begun { leases[lease.process, default: []].insert(lease.task) }
        }
    }

    func replace(with fresh: [String: Set<String>]) {
        leases.withLock { $0 = fresh }
    }

    func count(_ pid: String) -> Int {
        leases.withLock { $0[pid]?.count ?? 0 }
    }
}
