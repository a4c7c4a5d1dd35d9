// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Promise inserts and settlements a ``PostgresTransaction`` holds back, to send all those of a group-commit batch
/// in one statement each instead of one round trip per request.
///
/// Holding them back changes nothing anyone can observe: the transaction writes them before any other statement
/// (which might read them) and before its commit, in their own order (an insert always precedes a settlement of
/// the same promise, since a promise is settled only once it exists), and its reads by id answer from what it
/// remembers of the rows it wrote. Only the moment a failure shows moves: a duplicate id, say, fails the statement
/// that writes the inserts, and the transaction runs again as it would have.
struct DeferredWrites: Sendable {
    var inserts: [PromiseRecord] = []
    var settlements: [Settlement] = []

    /// The settlement of a pending promise, and the release of its callbacks and listeners.
    struct Settlement: Sendable {
        let id: String
        let state: PromiseState
        let value: Value
        let settledAt: Int64
    }
}
