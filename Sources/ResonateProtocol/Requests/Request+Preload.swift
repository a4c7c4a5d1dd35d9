// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Request {
    /// A request head field of this implementation, not of the protocol: `"resonate-swift:preload": false` asks
    /// for an empty `preload` in the answer to `task.acquire`, `task.suspend` (300) and `task.fence`.
    ///
    /// The preload is the task's whole branch (PROTOCOL §3.7), sent again with every answer: an SDK that keeps
    /// the execution in memory already knows it, and for a loop of n steps the copies add up to n² records.
    /// The official SDKs never send the field, so they always get the preload; servers that do not know the field
    /// ignore it and send the preload anyway, which an SDK must accept.
    public static let preloadHeadField = "resonate-swift:preload"

    /// Whether the request asks for an empty preload.
    public var omitsPreload: Bool {
        switch self {
        case .taskAcquire(let acquire): acquire.omitsPreload
        case .taskSuspend(let suspend): suspend.omitsPreload
        case .taskFence(let fence): fence.omitsPreload
        default: false
        }
    }

    /// The same request asking for an empty preload; requests whose answers carry none are unchanged.
    public func omittingPreload() -> Request {
        switch self {
        case .taskAcquire(var acquire):
            acquire.omitsPreload = true
            return .taskAcquire(acquire)
        case .taskSuspend(var suspend):
            suspend.omitsPreload = true
            return .taskSuspend(suspend)
        case .taskFence(var fence):
            fence.omitsPreload = true
            return .taskFence(fence)
        default:
            return self
        }
    }
}
