// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// A queued outbox message together with its content, ready to deliver once its transaction commits.
public struct Delivery: Sendable, Hashable {
    public var entry: OutboxEntry
    public var message: Message

    public init(entry: OutboxEntry, message: Message) {
        self.entry = entry
        self.message = message
    }
}

/// What a committed transaction asks of the world outside the database: messages to deliver and timer deadlines.
///
/// Returned by ``Engine/execute(_:debugTime:deferringEffects:)`` when the caller wants to publish them itself, after
/// it has answered the request (see ``Engine/publish(_:)``).
public struct Effects: Sendable {
    /// Messages to deliver.
    var deliveries: [Delivery] = []
    /// The earliest timer deadline the transaction created, so the timer can wake for it.
    var earliestDeadline: Int64?
    /// Leases of working tasks that began and ended, as (process, task).
    var leasesBegun: [LeaseReference] = []
    var leasesEnded: [LeaseReference] = []

    /// No effects.
    public static let none = Effects()

    /// Whether publishing these would do nothing.
    public var isEmpty: Bool {
        deliveries.isEmpty && earliestDeadline == nil && leasesBegun.isEmpty && leasesEnded.isEmpty
    }

    mutating func noteDeadline(_ time: Int64) {
        earliestDeadline = min(earliestDeadline ?? time, time)
    }
}

/// A process's lease on a task.
struct LeaseReference: Sendable, Hashable {
    var process: String
    var task: String
}

/// Collects effects while a request runs inside a store job.
///
/// A class so that the nested helpers of one request share it; it never leaves that job.
final class EffectsCollector {
    var effects = Effects()

    func deliver(_ entry: OutboxEntry, _ message: Message) {
        effects.deliveries.append(Delivery(entry: entry, message: message))
    }

    func noteDeadline(_ time: Int64) {
        effects.noteDeadline(time)
    }

    /// Records that `task`, which is about to change state, no longer holds its lease (if it held one).
    func leaseEnds(_ task: TaskRow) {
        guard task.state == .acquired, let pid = task.pid else { return }
        effects.leasesEnded.append(LeaseReference(process: pid, task: task.id))
    }

    func leaseBegins(pid: String, task: String) {
        effects.leasesBegun.append(LeaseReference(process: pid, task: task))
    }
}
