// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension CallTree {
    /// Reads the tree below `rootID`: that promise with `promise.get` (a root started by `resonate invoke` or another
    /// client carries no `resonate:origin` tag), the rest of its execution with `promise.search` on
    /// `resonate:origin`, every page. For a promise inside an execution (`order-7:2`) the tree is its subtree.
    ///
    /// - Throws: ``ClientError`` with status 404 when the promise does not exist.
    static func fetch(rootID: String, using client: ResonateClient) async throws(ClientError) -> CallTree {
        let root = try await client.getPromise(rootID)
        let origin = root.tags[Tag.origin] ?? rootID
        let all = try await Paging.all(from: nil) { cursor throws(ClientError) in
            try await client.searchPromises(PromiseSearch(tags: [Tag.origin: origin], limit: 1000, cursor: cursor))
        }
        return CallTree(root: root, promises: all.records)
    }
}
