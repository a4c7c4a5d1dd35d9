// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Request {
    /// A request head field of this implementation, not of the protocol: `"resonate-swift:cleanup": true` on
    /// `task.acquire` or `task.create` says that the acquiring process runs cleanup executions.
    ///
    /// When a task promise is canceled (settled `rejected_canceled` by anyone but its own task), the server cancels
    /// its pending children in the same transaction. If the task's last holder sent this field, the server also
    /// creates a *cleanup* promise, `<id>:cleanup` or `<id>.cleanup` by ``IDRules/cleanupID(of:)`` and tagged
    /// ``Tag/cleanupOf``, targeted like the canceled one: a process
    /// of the group replays the canceled function, which observes the cancellation and runs its cleanup steps
    /// durably. Official SDKs never send the field, so their executions are only canceled; a server that does not
    /// know the field ignores it.
    public static let cleanupHeadField = "resonate-swift:cleanup"

    /// Whether the request asks for a cleanup execution on cancellation.
    public var requestsCleanup: Bool {
        switch self {
        case .taskAcquire(let acquire): acquire.requestsCleanup
        case .taskCreate(let create): create.requestsCleanup
        default: false
        }
    }

    /// The same request asking for a cleanup execution on cancellation; other requests are unchanged.
    public func requestingCleanup() -> Request {
        switch self {
        case .taskAcquire(var acquire):
            acquire.requestsCleanup = true
            return .taskAcquire(acquire)
        case .taskCreate(var create):
            create.requestsCleanup = true
            return .taskCreate(create)
        default:
            return self
        }
    }
}
