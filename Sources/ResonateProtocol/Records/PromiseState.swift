// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The lifecycle state of a durable promise. Every state but ``pending`` is final.
public enum PromiseState: String, Sendable, Hashable, CaseIterable {
    case pending
    case resolved
    case rejected
    case rejectedCanceled = "rejected_canceled"
    case rejectedTimedOut = "rejected_timedout"

    /// Whether the promise has been settled (resolved, rejected, canceled or timed out).
    public var isSettled: Bool { self != .pending }
}
