// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// A promise search as `promises search` expresses it: the protocol's filters (state, tags) plus an id prefix.
///
/// `promise.search` has no id filter (PROTOCOL §2.9), but it orders results by id and its cursor is an exclusive
/// lower bound on the id. The ids starting with a prefix `P` are therefore one contiguous run of the ordering: the
/// search starts with cursor `P` and stops at the first id that does not start with `P`, so it reads only the
/// matching promises (plus at most one). The id equal to `P` itself lies before that cursor; it is fetched with
/// `promise.get` and checked against the state and tag filters here. This relies on the server ordering ids by their
/// bytes, as this server (SQLite) and the reference server on SQLite do.
struct PromiseQuery: Sendable {
    var state: PromiseState?
    var tags: [String: String]
    var idPrefix: String?
    /// Page size, 1…1000.
    var limit: Int

    /// The page after `cursor` (the first page for `nil`).
    func page(after cursor: String?, using client: ResonateClient) async throws(ClientError) -> Page<PromiseRecord> {
        guard let prefix = idPrefix, !prefix.isEmpty else {
            return try await client.searchPromises(
                PromiseSearch(state: state, tags: tags, limit: limit, cursor: cursor))
        }
        var records: [PromiseRecord] = []
        let start: String
        if let cursor, !Self.precedes(cursor, prefix) {
            // A cursor past the prefix's run has nothing left to read.
            guard Self.hasPrefix(cursor, prefix) else { return Page(records: [], cursor: nil) }
            start = cursor
        } else {
            if let exact = try await client.findPromise(prefix), matches(exact) { records.append(exact) }
            start = prefix
        }
        guard records.count < limit else { return Page(records: records, cursor: prefix) }
        let page = try await client.searchPromises(
            PromiseSearch(state: state, tags: tags, limit: limit - records.count, cursor: start))
        for promise in page.records {
            guard Self.hasPrefix(promise.id, prefix) else { return Page(records: records, cursor: nil) }
            records.append(promise)
        }
        return Page(records: records, cursor: page.cursor)
    }

    /// Whether `promise` passes the state and tag filters (for the one promise read with `promise.get`).
    func matches(_ promise: PromiseRecord) -> Bool {
        if let state, promise.state != state { return false }
        return tags.allSatisfy { promise.tags[$0.key] == $0.value }
    }

    /// Byte-wise prefix test: `String.hasPrefix` compares characters up to canonical equivalence, the server bytes.
    static func hasPrefix(_ id: String, _ prefix: String) -> Bool {
        id.utf8.starts(with: prefix.utf8)
    }

    /// Byte-wise order, the order of the server's cursor.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
