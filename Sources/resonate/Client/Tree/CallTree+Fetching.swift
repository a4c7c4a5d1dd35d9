// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension CallTree {
    /// Reads the execution rooted at `rootID`: the root with `promise.get` (a root started by `resonate invoke` or
    /// another client carries no `resonate:origin` tag), the rest with `promise.search` on `resonate:origin`, every
    /// page.
    ///
    /// - Throws: ``ClientError`` with status 404 when the root does not exist.
    static func fetch(rootID: String, using client: ResonateClient) async throws(ClientError) -> CallTree {
        let root = try await client.getPromise(rootID)
        let all = try await Paging.all(from: nil) { cursor throws(ClientError) in
            try await client.searchPromises(PromiseSearch(tags: [Tag.origin: rootID], limit: 1000, cursor: cursor))
        }
        return CallTree(root: root, promises: all.records)
    }
}
