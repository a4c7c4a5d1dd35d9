// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import PostgresNIO
public import ResonateEngine

extension PostgresTransaction {
    public func enqueueExecute(taskID: String, version: Int64, address: String) async throws -> OutboxEntry {
        // A new sequence number on every write, also when the row is replaced: deletions of the delivered older
        // entry then leave the new one alone.
        let rows = try await rows(
            """
            INSERT INTO outgoing_execute (task_id, version, address, seq)
            VALUES (\(taskID), \(version), \(address), nextval('outbox_seq'))
            ON CONFLICT (task_id) DO UPDATE SET version = excluded.version, address = excluded.address,
                                                seq = excluded.seq
            RETURNING seq
            """
        )
        guard let sequence = try rows.first?.decode(Int64.self) else {
            throw PostgresStoreError(.corruptRow, "queueing an execute of \(taskID) returned no sequence number")
        }
        return OutboxEntry(sequence: sequence, content: .execute(taskID: taskID, version: version), address: address)
    }

    public func enqueueUnblock(promiseID: String, address: String) async throws -> OutboxEntry {
        let rows = try await rows(
            """
            INSERT INTO outgoing_unblock (promise_id, address, seq)
            VALUES (\(promiseID), \(address), nextval('outbox_seq'))
            ON CONFLICT (promise_id, address) DO UPDATE SET seq = excluded.seq
            RETURNING seq
            """
        )
        guard let sequence = try rows.first?.decode(Int64.self) else {
            throw PostgresStoreError(.corruptRow, "queueing an unblock of \(promiseID) returned no sequence number")
        }
        return OutboxEntry(sequence: sequence, content: .unblock(promiseID: promiseID), address: address)
    }

    public func outboxEntries(limit: Int) async throws -> [OutboxEntry] {
        try await rows(
            """
            SELECT seq, 0::smallint, task_id, version, address FROM outgoing_execute
            UNION ALL
            SELECT seq, 1::smallint, promise_id, 0::bigint, address FROM outgoing_unblock
            ORDER BY 1 LIMIT \(limit)
            """
        ).map(Self.outboxEntry)
    }

    public func deleteOutboxEntries(_ entries: [OutboxEntry]) async throws {
        var executeIDs: [String] = []
        var executeSequences: [Int64] = []
        var unblockIDs: [String] = []
        var unblockAddresses: [String] = []
        var unblockSequences: [Int64] = []
        for entry in entries {
            switch entry.content {
            case .execute(let taskID, _):
                executeIDs.append(taskID)
                executeSequences.append(entry.sequence)
            case .unblock(let promiseID):
                unblockIDs.append(promiseID)
                unblockAddresses.append(entry.address)
                unblockSequences.append(entry.sequence)
            }
        }
        // Matching the sequence number too: a row rewritten since it was read holds a newer message. Rows locked
        // by another transaction are skipped rather than waited for: that transaction is rewriting them (a timer
        // pass sending an `execute` again), so they will not match anyway, and waiting on rows locked in another
        // order is how a multi-row delete deadlocks with a timer pass on another replica.
        if !executeIDs.isEmpty {
            try await rows(
                """
                DELETE FROM outgoing_execute WHERE ctid IN (
                    SELECT o.ctid FROM outgoing_execute o
                    JOIN unnest(\(executeIDs)::text[], \(executeSequences)::bigint[]) AS delivered(task_id, seq)
                      ON o.task_id = delivered.task_id AND o.seq = delivered.seq
                    FOR UPDATE OF o SKIP LOCKED)
                """
            )
        }
        if !unblockIDs.isEmpty {
            try await rows(
                """
                DELETE FROM outgoing_unblock WHERE ctid IN (
                    SELECT o.ctid FROM outgoing_unblock o
                    JOIN unnest(\(unblockIDs)::text[], \(unblockAddresses)::text[], \(unblockSequences)::bigint[])
                      AS delivered(promise_id, address, seq)
                      ON o.promise_id = delivered.promise_id AND o.address = delivered.address
                         AND o.seq = delivered.seq
                    FOR UPDATE OF o SKIP LOCKED)
                """
            )
        }
    }
}
