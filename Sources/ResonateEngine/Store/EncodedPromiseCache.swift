// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

/// Committed promise records with their wire JSON rendered, kept between requests for preloads.
///
/// Every `task.fence` of an official SDK's execution answers with its whole branch (PROTOCOL §3.7), so a long
/// execution would otherwise read, decode and encode each earlier step again at every step. A record is looked up
/// by id *and* state: a promise's content is fixed at creation and changes once, at settlement, and promises are
/// never deleted, so a record whose state matches the stored row is the stored row. Only committed records enter
/// (see ``publish(_:)``), so a rolled-back settlement can never be served.
///
/// Bounded by bytes: past the budget, the records least recently used are dropped until a quarter of it is free
/// (a sort, amortized over the many inserts between evictions).
final class EncodedPromiseCache: Sendable {
    private struct Entry {
        var record: PromiseRecord
        /// The ``Entries/clock`` of the last lookup or publish that used the record.
        var lastUsed: UInt64
    }

    private struct Entries {
        var byID: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    /// The most bytes of rendered JSON kept (the records' own memory comes on top, about as much).
    let byteBudget: Int
    private let entries = Mutex(Entries())

    init(byteBudget: Int) {
        self.byteBudget = max(byteBudget, 1)
    }

    /// Appends the records it has for `keys` (matching id and state) to `records`, in order, skipping the others;
    /// returns the positions in `keys` of those it skipped. Inserting the missing records at those positions, in
    /// ascending order, completes the list. One lock for the whole branch, one copy per record.
    func lookup(_ keys: [(id: String, state: PromiseState)], appendingTo records: inout [PromiseRecord]) -> [Int] {
        entries.withLock { entries in
            entries.clock += 1
            var missing: [Int] = []
            for (index, key) in keys.enumerated() {
                guard let position = entries.byID.index(forKey: key.id),
                    entries.byID.values[position].record.state == key.state
                else {
                    missing.append(index)
                    continue
                }
                entries.byID.values[position].lastUsed = entries.clock
                records.append(entries.byID.values[position].record)
            }
            return missing
        }
    }

    /// Adds records read or written by a transaction that has committed. Each must be ``PromiseRecord/encoded()``.
    func publish(_ records: [PromiseRecord]) {
        guard !records.isEmpty else { return }
        entries.withLock { entries in
            entries.clock += 1
            for record in records {
                let entry = Entry(record: record, lastUsed: entries.clock)
                if let replaced = entries.byID.updateValue(entry, forKey: record.id) {
                    entries.bytes -= replaced.record.encodedByteCount ?? 0
                }
                entries.bytes += record.encodedByteCount ?? 0
            }
            if entries.bytes > byteBudget { Self.evict(&entries, downTo: byteBudget - byteBudget / 4) }
        }
    }

    /// The number of records held.
    var count: Int { entries.withLock { $0.byID.count } }

    /// The bytes of rendered JSON held.
    var bytes: Int { entries.withLock { $0.bytes } }

    private static func evict(_ entries: inout Entries, downTo target: Int) {
        let oldestFirst = entries.byID.values.sorted { $0.lastUsed < $1.lastUsed }
        for entry in oldestFirst where entries.bytes > target {
            entries.byID.removeValue(forKey: entry.record.id)
            entries.bytes -= entry.record.encodedByteCount ?? 0
        }
    }
}
