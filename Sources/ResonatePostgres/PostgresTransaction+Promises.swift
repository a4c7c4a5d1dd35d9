// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
public import ResonateEngine
public import ResonateProtocol

extension PostgresTransaction {
    public func promise(id: String) async throws -> PromiseRecord? {
        try await row(known: rememberedPromise(id: id), remember: { self.remember($0, id: id) }) {
            try await rows(
                "SELECT \(unescaped: Self.promiseColumns) FROM promises WHERE id = \(id)\(unescaped: lockClause)"
            ).first.map(Self.promise)
        }
    }

    /// Held back until the next statement or the commit, so that the inserts of a batch's requests go out in one
    /// statement (see ``DeferredWrites``).
    public func insertPromise(_ promise: PromiseRecord) async throws {
        deferInsert(promise)
    }

    /// One round trip where the default reads the id first; a row this transaction already read answers at once.
    /// On a concurrent insert of the same id, `ON CONFLICT` waits for that transaction and inserts nothing if it
    /// committed, where a plain insert would fail with a duplicate key.
    public func insertPromiseIfAbsent(_ promise: PromiseRecord) async throws -> Bool {
        switch rememberedPromise(id: promise.id) {
        case .present: return false
        case .absent:
            try await insertPromise(promise)
            return true
        case nil:
            let inserted = try await insertUnlessPresent(promise)
            // A row this transaction inserted is as good as locked: nobody else can change it until the commit.
            if inserted { remember(promise, id: promise.id) }
            return inserted
        }
    }

    /// Inserts `promise` and its tags in one statement unless the id exists; whether it did.
    private func insertUnlessPresent(_ promise: PromiseRecord) async throws -> Bool {
        // The tags go to promise_tags in the same statement: one round trip per new promise.
        let sortedTags = promise.tags.sorted { $0.key < $1.key }
        let rows = try await rows(
            """
            WITH inserted AS (
                INSERT INTO promises (id, state, param_headers, param_data, value_headers, value_data, tags, target,
                                      branch, timeout_at, created_at, settled_at)
                VALUES (\(promise.id), \(promise.state.rawValue), \(promise.param.headers.map(JSONMapColumn.encode))::text::jsonb,
                        \(promise.param.data), \(promise.value.headers.map(JSONMapColumn.encode))::text::jsonb,
                        \(promise.value.data), \(JSONMapColumn.encode(promise.tags))::jsonb, \(promise.tags[Tag.target]),
                        \(promise.tags[Tag.branch]), \(promise.timeoutAt), \(promise.createdAt), \(promise.settledAt))
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            ),
            tagged AS (
                INSERT INTO promise_tags (key, value, promise_id)
                SELECT tag.key, tag.value, inserted.id
                FROM inserted, unnest(\(sortedTags.map(\.key))::text[], \(sortedTags.map(\.value))::text[]) AS tag(key, value)
            )
            SELECT count(*) FROM inserted
            """
        )
        return try rows.first?.decode(Int64.self) == 1
    }

    /// One round trip for the four steps: the data-modifying parts of a statement see the same snapshot as its
    /// query, so the callbacks are read as they were before being marked, which is all the answer needs.
    @discardableResult
    public func settlePromise(
        id: String, state: PromiseState, value: Value, settledAt: Int64
    ) async throws
        -> SettlementWaiters
    {
        // A promise whose waiters the batch read up front settles with the batch's other settlements.
        if let waiters = deferSettlement(id: id, state: state, value: value, settledAt: settledAt) { return waiters }
        forgetPromises(id: id)
        let rows = try await rows(
            """
            WITH settled AS (
                UPDATE promises SET state = \(state.rawValue),
                                    value_headers = \(value.headers.map(JSONMapColumn.encode))::text::jsonb,
                                    value_data = \(value.data), settled_at = \(settledAt)
                WHERE id = \(id)
            ),
            marked AS (UPDATE callbacks SET ready = true WHERE awaited = \(id) AND NOT ready),
            taken AS (DELETE FROM listeners WHERE promise_id = \(id) RETURNING address)
            SELECT listener, waiter FROM (
                SELECT false AS listener, awaiter AS waiter FROM callbacks WHERE awaited = \(id)
                UNION ALL
                SELECT true, address FROM taken
            ) AS waiters
            ORDER BY listener, waiter COLLATE "C"
            """
        )
        var waiters = SettlementWaiters(awaiters: [], listeners: [])
        for row in rows {
            let (isListener, value) = try row.decode((Bool, String).self)
            if isListener { waiters.listeners.append(value) } else { waiters.awaiters.append(value) }
        }
        return waiters
    }

    /// One round trip (the function `resonate_settle_if_pending`, see ``PostgresSchema``) where the default reads
    /// the promise and then settles it. The row is locked afterwards either way; when it was not settled, this
    /// transaction remembers it, so the engine's reads of it that follow need no round trip.
    public func settlePromiseIfPending(
        id: String, state: PromiseState, value: Value, settledAt: Int64
    ) async throws -> ConditionalSettlement {
        switch rememberedPromise(id: id) {
        case .present(let known):
            guard known.state == .pending, known.timeoutAt > settledAt else { return .unchanged(known) }
            if let waiters = deferSettlement(id: id, state: state, value: value, settledAt: settledAt) {
                return .settled(known, waiters)
            }
        case .absent: return .absent
        case nil: break
        }
        forgetPromises(id: id)
        let rows = try await rows(
            """
            SELECT o_settled, o_id, o_state, o_param_headers, o_param_data, o_value_headers, o_value_data, o_tags,
                   o_timeout_at, o_created_at, o_settled_at, o_awaiters, o_listeners
            FROM resonate_settle_if_pending(\(id), \(state.rawValue), \(value.headers.map(JSONMapColumn.encode)),
                                            \(value.data), \(settledAt))
            """
        )
        guard let row = rows.first else {
            remember(PromiseRecord?.none, id: id)
            return .absent
        }
        let (
            settled, promiseID, promiseState, paramHeaders, paramData, valueHeaders, valueData, tags, timeoutAt,
            createdAt, promiseSettledAt, awaiters, listeners
        ) = try row.decode(
            (
                Bool, String, String, String?, String?, String?, String?, String, Int64, Int64, Int64?, [String]?,
                [String]?
            ).self)
        let promise = try Self.promise(
            id: promiseID, state: promiseState, paramHeaders: paramHeaders, paramData: paramData,
            valueHeaders: valueHeaders, valueData: valueData, tags: tags, timeoutAt: timeoutAt, createdAt: createdAt,
            settledAt: promiseSettledAt)
        guard settled else {
            remember(promise, id: id)
            return .unchanged(promise)
        }
        return .settled(promise, SettlementWaiters(awaiters: awaiters ?? [], listeners: listeners ?? []))
    }

    public func promises(inBranch branch: String, excluding: String) async throws -> [PromiseRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.promiseColumns) FROM promises
            WHERE branch = \(branch) AND id <> \(excluding) ORDER BY id
            """
        ).map(Self.promise)
    }

    public func searchPromises(
        state: PromiseState?,
        tags: [String: String],
        after cursor: String?,
        limit: Int
    ) async throws -> [PromiseRecord] {
        let cursor = cursor ?? ""
        let sortedTags = tags.sorted { $0.key < $1.key }
        if let first = sortedTags.first {
            // Driven by the tag index in id order, like the SQLite store; the other tags are checked per candidate.
            let others = sortedTags.dropFirst()
            return try await rows(
                """
                SELECT \(unescaped: Self.qualifiedPromiseColumns) FROM promise_tags t JOIN promises p ON p.id = t.promise_id
                WHERE t.key = \(first.key) AND t.value = \(first.value) AND t.promise_id > \(cursor)
                  AND (\(state?.rawValue)::text IS NULL OR p.state = \(state?.rawValue))
                  AND NOT EXISTS (
                      SELECT 1 FROM unnest(\(others.map(\.key))::text[], \(others.map(\.value))::text[]) AS wanted(key, value)
                      WHERE NOT EXISTS (
                          SELECT 1 FROM promise_tags o
                          WHERE o.key = wanted.key AND o.value = wanted.value AND o.promise_id = p.id))
                ORDER BY t.promise_id LIMIT \(limit)
                """
            ).map(Self.promise)
        }
        if let state {
            return try await rows(
                """
                SELECT \(unescaped: Self.promiseColumns) FROM promises
                WHERE state = \(state.rawValue) AND id > \(cursor) ORDER BY id LIMIT \(limit)
                """
            ).map(Self.promise)
        }
        return try await rows(
            "SELECT \(unescaped: Self.promiseColumns) FROM promises WHERE id > \(cursor) ORDER BY id LIMIT \(limit)"
        ).map(Self.promise)
    }

    public func expiredPromises(at time: Int64, limit: Int) async throws -> [PromiseRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.promiseColumns) FROM promises
            WHERE state = 'pending' AND timeout_at <= \(time) ORDER BY timeout_at, id LIMIT \(limit)\(unescaped: claimClause)
            """
        ).map(Self.promise)
    }

    /// ``promiseColumns`` of the table aliased `p`.
    static let qualifiedPromiseColumns = """
        p.id, p.state, p.param_headers::text, p.param_data, p.value_headers::text, p.value_data, p.tags::text, \
        p.timeout_at, p.created_at, p.settled_at
        """
}
