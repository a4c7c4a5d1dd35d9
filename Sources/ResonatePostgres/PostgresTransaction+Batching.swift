// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
import ResonateEngine
import ResonateProtocol
import Synchronization

// A group-commit batch runs its requests one after another, and each request's statements are round trips of their
// own. For the most common requests, creating and settling promises, the batch does better: it reads and locks all
// the promises its requests name up front (``prefetch(promiseIDs:)``), so their reads answer from memory, and the
// inserts and settlements they make wait in ``DeferredWrites`` and go out together (``flush()``).
extension PostgresTransaction {
    /// Reads and locks the promises `ids` and reads the callbacks and listeners of those that are pending, in one
    /// round trip (the function `resonate_lock_promises`, see ``PostgresSchema``), so that reading, creating or
    /// settling any of them needs no round trip of its own.
    ///
    /// The waiters are read after the locks are granted, as ``settlePromise(id:state:value:settledAt:)`` would read
    /// them: callbacks and listeners of a promise are written only by transactions holding its row. Rows are locked
    /// in id order, byte-wise, as other batches lock them.
    func prefetch(promiseIDs ids: [String]) async throws {
        guard isWrite else { return }
        let unread = Set(ids.filter { rememberedPromise(id: $0) == nil }).sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
        guard !unread.isEmpty else { return }
        let rows = try await rows(
            """
            SELECT o_kind, o_id, o_state, o_param_headers, o_param_data, o_value_headers, o_value_data, o_tags,
                   o_timeout_at, o_created_at, o_settled_at, o_waiter
            FROM resonate_lock_promises(\(unread)::text[])
            """
        )
        var found = Set<String>()
        var waiters = [String: SettlementWaiters]()
        for row in rows {
            let (
                kind, id, state, paramHeaders, paramData, valueHeaders, valueData, tags, timeoutAt, createdAt,
                settledAt,
                waiter
            ) = try row.decode(
                (
                    Int16, String, String?, String?, String?, String?, String?, String?, Int64?, Int64?, Int64?, String?
                ).self)
            switch (kind, waiter) {
            case (0, _):
                guard let state, let tags, let timeoutAt, let createdAt else {
                    throw PostgresStoreError(.corruptRow, "resonate_lock_promises returned an incomplete promise \(id)")
                }
                let promise = try Self.promise(
                    id: id, state: state, paramHeaders: paramHeaders, paramData: paramData,
                    valueHeaders: valueHeaders, valueData: valueData, tags: tags, timeoutAt: timeoutAt,
                    createdAt: createdAt, settledAt: settledAt)
                remember(promise, id: id)
                found.insert(id)
                if promise.state == .pending { waiters[id] = SettlementWaiters(awaiters: [], listeners: []) }
            case (1, let awaiter?): waiters[id]?.awaiters.append(awaiter)
            case (2, let address?): waiters[id]?.listeners.append(address)
            default:
                throw PostgresStoreError(.corruptRow, "resonate_lock_promises returned a row of kind \(kind)")
            }
        }
        for id in unread where !found.contains(id) { remember(PromiseRecord?.none, id: id) }
        // Ordered as a settlement statement orders them, byte-wise (`COLLATE "C"`).
        let byteWise: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for id in waiters.keys {
            waiters[id]?.awaiters.sort(by: byteWise)
            waiters[id]?.listeners.sort(by: byteWise)
        }
        knownWaiters.withLock { $0 = waiters }
    }

    /// Holds back the insert of `promise` (see ``DeferredWrites``); reads of its id answer it meanwhile.
    func deferInsert(_ promise: PromiseRecord) {
        deferredWrites.withLock { $0.inserts.append(promise) }
        remember(promise, id: promise.id)
    }

    /// Holds back the settlement of `id` and returns what it releases, when ``prefetch(promiseIDs:)`` read the
    /// promise and its waiters and no statement ran since; `nil` (and nothing held back) otherwise.
    func deferSettlement(id: String, state: PromiseState, value: Value, settledAt: Int64) -> SettlementWaiters? {
        guard case .present(var promise) = rememberedPromise(id: id),
            let waiters = knownWaiters.withLock({ $0.removeValue(forKey: id) })
        else { return nil }
        deferredWrites.withLock {
            $0.settlements.append(.init(id: id, state: state, value: value, settledAt: settledAt))
        }
        promise.state = state
        promise.value = value
        promise.settledAt = settledAt
        remember(promise, id: id)
        return waiters
    }

    /// Writes what was held back: the inserts in one statement, then the settlements in another.
    func flush() async throws {
        let writes = deferredWrites.withLock { writes in
            defer { writes = DeferredWrites() }
            return writes
        }
        if !writes.inserts.isEmpty { try await execute(Self.insertion(of: writes.inserts)) }
        if !writes.settlements.isEmpty { try await execute(Self.settlement(of: writes.settlements)) }
    }

    /// Inserts promises and their tags. A nullable column travels as text with a bit of `nulls` set for `NULL`,
    /// since PostgresNIO encodes no arrays with `NULL` elements.
    static func insertion(of promises: [PromiseRecord]) -> PostgresQuery {
        var ids: [String] = [], states: [String] = [], paramHeaders: [String] = [], paramData: [String] = []
        var valueHeaders: [String] = [], valueData: [String] = [], tags: [String] = [], targets: [String] = []
        var branches: [String] = [], timeouts: [Int64] = [], creations: [Int64] = [], settlements: [Int64] = []
        var nulls: [Int32] = []
        var tagKeys: [String] = [], tagValues: [String] = [], tagOwners: [String] = []
        for promise in promises {
            var null: Int32 = 0
            func column<T>(_ value: T?, _ bit: Int32, _ absent: T) -> T {
                if value == nil { null |= bit }
                return value ?? absent
            }
            ids.append(promise.id)
            states.append(promise.state.rawValue)
            paramHeaders.append(column(promise.param.headers.map(JSONMapColumn.encode), 1, ""))
            paramData.append(column(promise.param.data, 2, ""))
            valueHeaders.append(column(promise.value.headers.map(JSONMapColumn.encode), 4, ""))
            valueData.append(column(promise.value.data, 8, ""))
            tags.append(JSONMapColumn.encode(promise.tags))
            targets.append(column(promise.tags[Tag.target], 16, ""))
            branches.append(column(promise.tags[Tag.branch], 32, ""))
            timeouts.append(promise.timeoutAt)
            creations.append(promise.createdAt)
            settlements.append(column(promise.settledAt, 64, 0))
            nulls.append(null)
            for (key, value) in promise.tags {
                tagKeys.append(key)
                tagValues.append(value)
                tagOwners.append(promise.id)
            }
        }
        return """
            WITH new AS (
                SELECT * FROM unnest(\(ids)::text[], \(states)::text[], \(paramHeaders)::text[], \(paramData)::text[],
                                     \(valueHeaders)::text[], \(valueData)::text[], \(tags)::text[], \(targets)::text[],
                                     \(branches)::text[], \(timeouts)::bigint[], \(creations)::bigint[],
                                     \(settlements)::bigint[], \(nulls)::integer[])
                    AS new(id, state, param_headers, param_data, value_headers, value_data, tags, target, branch,
                           timeout_at, created_at, settled_at, nulls)
            ),
            inserted AS (
                INSERT INTO promises (id, state, param_headers, param_data, value_headers, value_data, tags, target,
                                      branch, timeout_at, created_at, settled_at)
                SELECT id, state, CASE WHEN nulls & 1 = 0 THEN param_headers::jsonb END,
                       CASE WHEN nulls & 2 = 0 THEN param_data END,
                       CASE WHEN nulls & 4 = 0 THEN value_headers::jsonb END,
                       CASE WHEN nulls & 8 = 0 THEN value_data END, tags::jsonb,
                       CASE WHEN nulls & 16 = 0 THEN target END, CASE WHEN nulls & 32 = 0 THEN branch END,
                       timeout_at, created_at, CASE WHEN nulls & 64 = 0 THEN settled_at END
                FROM new
            )
            INSERT INTO promise_tags (key, value, promise_id)
            SELECT * FROM unnest(\(tagKeys)::text[], \(tagValues)::text[], \(tagOwners)::text[])
            """
    }

    /// Settles promises and releases their waiters, as ``settlePromise(id:state:value:settledAt:)`` does for one
    /// (the function `resonate_settle_all`, see ``PostgresSchema``).
    static func settlement(of settlements: [DeferredWrites.Settlement]) -> PostgresQuery {
        var ids: [String] = [], states: [String] = [], valueHeaders: [String] = [], valueData: [String] = []
        var times: [Int64] = [], nulls: [Int32] = []
        for settlement in settlements {
            ids.append(settlement.id)
            states.append(settlement.state.rawValue)
            valueHeaders.append(settlement.value.headers.map(JSONMapColumn.encode) ?? "")
            valueData.append(settlement.value.data ?? "")
            times.append(settlement.settledAt)
            nulls.append((settlement.value.headers == nil ? 1 : 0) | (settlement.value.data == nil ? 2 : 0))
        }
        return """
            SELECT resonate_settle_all(\(ids)::text[], \(states)::text[], \(valueHeaders)::text[], \(valueData)::text[],
                                       \(times)::bigint[], \(nulls)::integer[])
            """
    }
}
