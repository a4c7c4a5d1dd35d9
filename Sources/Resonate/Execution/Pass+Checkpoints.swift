// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// Local steps whose checkpoint is written once, settled, when they end.
///
/// A step's checkpoint is normally a promise created before the step runs (which also tells a replay whether the
/// step already ran) and settled after it. In an execution's first run (lease version 1) no child can exist yet
/// but those this pass made, so the creation tells nothing: the pass skips it and writes the step's promise when
/// the step ends, already settled (``PromiseCreate/settlementField``), one request instead of two. A crash in
/// between leaves no checkpoint, exactly as one between the creation and the settlement would leave a pending
/// one: the step runs again on replay. Should the step make a durable call of its own, its promise is created
/// first (see ``create(_:)``), and the step ends with an ordinary settlement.
extension Pass {
    /// Whether the checkpoint of the local step `create` can be written when the step ends; if so, it is noted
    /// for ``settleStep(_:state:value:)``.
    ///
    /// A step inside a step whose own checkpoint is deferred is not deferred: it is created the ordinary way,
    /// which creates its parent's first.
    func deferCheckpoint(_ create: PromiseCreate) -> Bool {
        guard version == 1, canceledAt == nil, cached(create.id) == nil else { return false }
        return deferredCheckpoints.withLock { deferred in
            if let parent = create.tags[Tag.parent], deferred[parent] != nil { return false }
            deferred[create.id] = create
            return true
        }
    }

    /// Removes and returns the deferred checkpoint of step `id`, if it is still deferred.
    func takeDeferredCheckpoint(_ id: String) -> PromiseCreate? {
        deferredCheckpoints.withLock { $0.removeValue(forKey: id) }
    }

    /// Settles a local step's checkpoint: writes it settled if it was deferred and never created, otherwise
    /// settles the promise it has.
    ///
    /// - Parameter startedAt: when the step began, recorded as the checkpoint's creation time.
    func settleStep(_ id: String, state: PromiseState, value: Value, startedAt: Int64) async throws -> PromiseRecord {
        guard var create = takeDeferredCheckpoint(id) else { return try await settle(id, state: state, value: value) }
        try checkActive()
        create.settlement = PromiseCreate.Settlement(state: state, value: value, startedAt: startedAt)
        let outcome = try await fence(.create(create))
        guard let promise = outcome.promise else {
            throw fail(ResonateError(.server, "creating \(id) settled returned no promise"))
        }
        // A server without the extension created it pending.
        return promise.state == .pending ? try await settle(id, state: state, value: value) : promise
    }
}
