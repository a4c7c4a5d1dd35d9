// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The in-memory side of the outbox, as a state machine: which messages wait for a connection, and which
/// delivered rows still have to be deleted.
///
/// A message to a poll group with no live connection is *parked* instead of dropped. It stays in the database
/// (so it survives a restart) and goes out the moment a process of that group connects. This is what makes work
/// dispatched while no worker runs start as soon as one does, rather than after the next retry timeout.
struct OutboxState {
    /// Parked messages by normalised group, keyed by outbox key so a newer message replaces an older one.
    private(set) var parked: [String: [OutboxKey: ParkedDelivery]] = [:]
    /// Rows whose messages were handed to a transport (or expired) and can be deleted.
    private(set) var deliveredRows: [OutboxEntry] = []
    var isPaused = false

    struct ParkedDelivery {
        var delivery: Delivery
        var parkedAt: Int64
    }

    /// Identifies a row of the outbox tables.
    struct OutboxKey: Hashable {
        var content: String
        var address: String

        init(_ entry: OutboxEntry) {
            switch entry.content {
            case .execute(let taskID, _):
                content = "execute\u{0}" + taskID
                address = ""
            case .unblock(let promiseID):
                content = "unblock\u{0}" + promiseID
                address = entry.address
            }
        }
    }

    mutating func park(_ delivery: Delivery, group: String, at time: Int64) {
        let key = OutboxKey(delivery.entry)
        if let previous = parked[group]?[key], previous.delivery.entry.sequence > delivery.entry.sequence { return }
        parked[group, default: [:]][key] = ParkedDelivery(delivery: delivery, parkedAt: time)
    }

    /// Removes and returns the parked messages of `group`.
    mutating func unpark(group: String) -> [Delivery] {
        guard let entries = parked.removeValue(forKey: group) else { return [] }
        return entries.values.map(\.delivery).sorted { $0.entry.sequence < $1.entry.sequence }
    }

    /// Removes parked messages older than `lifetime` and schedules their rows for deletion.
    mutating func expireParked(now: Int64, lifetime: Int64) -> Int {
        var expired = 0
        for (group, entries) in parked {
            let stale = entries.filter { now - $0.value.parkedAt >= lifetime }
            guard !stale.isEmpty else { continue }
            for (key, parkedDelivery) in stale {
                parked[group]?.removeValue(forKey: key)
                deliveredRows.append(parkedDelivery.delivery.entry)
                expired += 1
            }
            if parked[group]?.isEmpty == true { parked.removeValue(forKey: group) }
        }
        return expired
    }

    mutating func markDelivered(_ entry: OutboxEntry) {
        deliveredRows.append(entry)
    }

    mutating func takeDeliveredRows() -> [OutboxEntry] {
        defer { deliveredRows.removeAll(keepingCapacity: true) }
        return deliveredRows
    }

    /// Forgets everything (debug reset); the rows are gone from the database already.
    mutating func reset() {
        parked.removeAll()
        deliveredRows.removeAll()
    }

    var parkedCount: Int { parked.values.reduce(0) { $0 + $1.count } }
}
