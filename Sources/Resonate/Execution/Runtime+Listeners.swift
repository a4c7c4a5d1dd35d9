// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Runtime {
    /// The settled record of `id`, once it settles: registers this process's interest (an `unblock` to its
    /// unicast address) unless the id is tracked already, then waits.
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
