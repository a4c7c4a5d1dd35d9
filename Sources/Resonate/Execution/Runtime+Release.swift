// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateProtocol

extension Runtime {
    /// Gives task `id` back to the server so that another process (or this one) takes it at once.
    ///
    /// Best effort: a release that fails (the server is away, or the lease was lost meanwhile) only delays the
    /// task until its lease expires, and it says so.
    func releaseTask(_ id: String, version: Int64, logger: Logger) async {
        do {
            let reply = try await transport.send(.taskRelease(id: id, version: version))
            if reply.status != 200 {
                logger.debug(
                    "the task was not released; its lease was lost or it was settled meanwhile",
                    metadata: ["task": "\(id)", "status": "\(reply.status)"])
            }
        } catch {
            logger.warning(
                "cannot release the task; it runs again when its lease expires",
                metadata: ["task": "\(id)", "error": "\(error)"])
        }
    }
}
