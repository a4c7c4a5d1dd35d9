// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The in-memory side of the outbox, as a state machine: which messages wait for a connection, which wait for
/// another replica to acknowledge them, and which delivered rows still have to be deleted.
///
/// A message to a poll group with no live connection is *parked* instead of dropped. It stays in the database
/// (so it survives a restart) and goes out the moment a process of that group connects. This is what makes work
/// dispatched while no worker runs start as soon as one does, rather than after the next retry timeout.
///
/// A message *relayed* to another replica keeps its row until that replica acknowledges it. One that is not
/// acknowledged in time (the replica died, or the bus lost it) is routed again, so a dead replica costs a second,
/// not a task's retry timeout.
struct OutboxState {
    /// Parked messages by normalised group, keyed by outbox key so a newer message replaces an older one.
    private(set) var parked: [String: [OutboxKey: ParkedDelivery]] = [:]
    /// Messages relayed to another replica and not yet acknowledged, by outbox key.
    private(set) var relayed: [OutboxKey: RelayedDelivery] = [:]
    /// Rows whose messages were handed to a transport (or expired) and can be deleted.
    private(set) var deliveredRows: [OutboxEntry] = []
    var isPaused = false

    struct ParkedDelivery {
        var delivery: Delivery
        var parkedAt: Int64
    }

    struct RelayedDelivery {
        var delivery: Delivery
        var relayedAt: Int64
        /// How many times it has been relayed without an acknowledgement.
        var attempts: Int
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
        forgetRelay(delivery.entry)
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

    // MARK: Relays

    /// Records that `delivery` was relayed to another replica at `time`; its row stays until it is acknowledged.
    /// A message relayed again counts one more attempt.
    mutating func relayed(_ delivery: Delivery, at time: Int64) {
        let key = OutboxKey(delivery.entry)
        var attempts = 1
        if let previous = relayed[key], previous.delivery.entry.content == delivery.entry.content {
            attempts = previous.attempts + 1
        }
        relayed[key] = RelayedDelivery(delivery: delivery, relayedAt: time, attempts: attempts)
    }

    /// What an acknowledgement from the replica that took a relayed message asks for.
    enum AcknowledgementAction: Equatable {
        /// The message reached a connection: its row can go.
        case delete
        /// The replica had no connection for it (say, the process disconnected meanwhile): route it again now.
        case routeAgain(Delivery)
        /// The replica had no connection for it, and it has been relayed `maximumAttempts` times: its row is given
        /// up (the task's retry timer sends it again), so two replicas cannot bounce it between them for long.
        case givenUp
        /// Not a message awaiting acknowledgement (acknowledged already, or superseded by a newer message).
        case none
    }

    /// Applies the acknowledgement of the message relayed for `address` with `content`.
    mutating func acknowledge(
        address: String, content: OutboxEntry.Content, delivered: Bool, maximumAttempts: Int
    ) -> AcknowledgementAction {
        guard let waiting = awaitingAcknowledgement(address: address, content: content) else { return .none }
        if !delivered, waiting.attempts < maximumAttempts { return .routeAgain(waiting.delivery) }
        markDelivered(waiting.delivery.entry)
        return delivered ? .delete : .givenUp
    }

    /// Returns the relayed messages not acknowledged within `timeout` of being relayed, to be routed again.
    /// After `maximumAttempts` relays a message's row is given up instead (the task's retry timer sends it
    /// again); those are counted in `givenUp`.
    mutating func takeUnacknowledged(
        now: Int64, timeout: Int64, maximumAttempts: Int
    ) -> (
        routeAgain: [Delivery], givenUp: Int
    ) {
        var routeAgain: [Delivery] = []
        var givenUp = 0
        for (key, waiting) in relayed where now - waiting.relayedAt >= timeout {
            if waiting.attempts >= maximumAttempts {
                markDelivered(waiting.delivery.entry)
                givenUp += 1
            } else {
                relayed[key]?.relayedAt = now
                routeAgain.append(waiting.delivery)
            }
        }
        routeAgain.sort { $0.entry.sequence < $1.entry.sequence }
        return (routeAgain, givenUp)
    }

    private func awaitingAcknowledgement(address: String, content: OutboxEntry.Content) -> RelayedDelivery? {
        let key = OutboxKey(OutboxEntry(sequence: 0, content: content, address: address))
        // Keys of executes ignore the address (a task has one message at a time); compare whole messages.
        guard let waiting = relayed[key], waiting.delivery.entry.content == content,
            waiting.delivery.entry.address == address
        else { return nil }
        return waiting
    }

    /// Forgets the relay of `entry`'s message, now delivered, parked or given up some other way, and the relay of
    /// an older message of the same row, which `entry` replaced.
    private mutating func forgetRelay(_ entry: OutboxEntry) {
        let key = OutboxKey(entry)
        if let waiting = relayed[key], waiting.delivery.entry.sequence <= entry.sequence {
            relayed.removeValue(forKey: key)
        }
    }

    // MARK: Housekeeping

    /// The earliest time a relayed message's acknowledgement falls overdue or a parked message expires; `nil` when
    /// no message waits for either, and the outbox loop can sleep until new work arrives.
    func nextDeadline(relayTimeout: Int64, parkedLifetime: Int64) -> Int64? {
        var earliest: Int64?
        for waiting in relayed.values {
            earliest = min(earliest ?? .max, waiting.relayedAt + relayTimeout)
        }
        for entries in parked.values {
            for waiting in entries.values {
                earliest = min(earliest ?? .max, waiting.parkedAt + parkedLifetime)
            }
        }
        return earliest
    }

    // MARK: Delivered rows

    mutating func markDelivered(_ entry: OutboxEntry) {
        forgetRelay(entry)
        deliveredRows.append(entry)
    }

    /// Whether delivered rows wait to be deleted.
    var hasDeliveredRows: Bool { !deliveredRows.isEmpty }

    mutating func takeDeliveredRows() -> [OutboxEntry] {
        defer { deliveredRows.removeAll(keepingCapacity: true) }
        return deliveredRows
    }

    /// Forgets everything (debug reset); the rows are gone from the database already.
    mutating func reset() {
        parked.removeAll()
        relayed.removeAll()
        deliveredRows.removeAll()
    }

    var parkedCount: Int { parked.values.reduce(0) { $0 + $1.count } }

    var relayedCount: Int { relayed.count }
}
