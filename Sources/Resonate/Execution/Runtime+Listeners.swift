// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateProtocol

extension Runtime {
    /// The settled record of `id`, once it settles: registers this process's interest (an `unblock` to its
    /// unicast address) unless the id is tracked already or runs here, then waits.
    func settledRecord(of id: String) async throws -> PromiseRecord {
        while true {
            if subscriptions.track(id) {
                do {
                    try await registerListener(id)
                } catch {
                    // Untracked again, so the next attempt registers instead of waiting for the periodic refresh.
                    subscriptions.untrackIfUnsettled(id)
                    throw error
                }
            }
            // `nil`: forgotten in between (many others settled meanwhile): ask again.
            if let record = try await subscriptions.wait(id) { return record }
        }
    }

    /// The execution `id` stopped running here: a handle that waits on it without a listener gets one now, as it
    /// may finish elsewhere. A registration that fails is retried by the periodic refresh.
    func executionLeft(_ id: String) async {
        guard subscriptions.leave(id) else { return }
        do {
            try await registerListener(id)
        } catch {
            logger.debug("cannot register a listener yet", metadata: ["promise": "\(id)", "error": "\(error)"])
        }
    }

    /// Registers interest in `id`'s settlement; an already settled promise completes its waiters at once.
    func registerListener(_ id: String) async throws {
        let reply = try await transport.send(.promiseRegisterListener(awaited: id, address: unicastAddress))
        switch reply.status {
        case 200:
            if let record = reply.promiseRecord { subscriptions.update(record) }
        case 404:
            subscriptions.fail(id, with: ResonateError(.notFound, "the promise \(id) does not exist"))
        default:
            throw reply.unexpected("promise.register_listener \(id)")
        }
    }
}
