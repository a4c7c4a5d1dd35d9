// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Follows search cursors.
enum Paging {
    /// Every record from the page at `cursor` on, following each page's cursor until a page has none.
    static func all<Record: Sendable>(
        from cursor: String?,
        fetch: (String?) async throws(ClientError) -> Page<Record>
    ) async throws(ClientError) -> Page<Record> {
        var records: [Record] = []
        var cursor = cursor
        var seen: Set<String> = []
        repeat {
            let page = try await fetch(cursor)
            records += page.records
            cursor = page.cursor
            // Cursors only move forward; one seen twice would page forever.
            if let next = cursor, !seen.insert(next).inserted {
                throw ClientError(.unavailable, "the server returned the cursor '\(next)' twice; stopping")
            }
        } while cursor != nil
        return Page(records: records, cursor: nil)
    }
}
