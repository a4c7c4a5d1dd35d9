// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// What ``StoreTransaction/settlePromiseIfPending(id:state:value:settledAt:)`` found and did.
public enum ConditionalSettlement: Sendable, Equatable {
    /// No promise has the id.
    case absent
    /// The promise was not pending, or its timeout had passed; nothing changed.
    case unchanged(PromiseRecord)
    /// The promise, as it was before, is now settled, and these waited for it.
    case settled(PromiseRecord, SettlementWaiters)
}
