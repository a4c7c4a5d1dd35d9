// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Transition {
    /// Dispatches a validated request to its transition.
    func apply(_ request: Request) async throws -> Reply {
        switch request {
        case .promiseGet(let id): try await promiseGet(id: id)
        case .promiseCreate(let create): try await promiseCreate(create)
        case .promiseSettle(let settle): try await promiseSettle(settle)
        case .promiseRegisterCallback(let awaited, let awaiter):
            try await promiseRegisterCallback(awaited: awaited, awaiter: awaiter)
        case .promiseRegisterListener(let awaited, let address):
            try await promiseRegisterListener(awaited: awaited, address: address)
        case .promiseSearch(let search): try await promiseSearch(search)
        case .taskGet(let id): try await taskGet(id: id)
        case .taskCreate(let create): try await taskCreate(create)
        case .taskAcquire(let acquire): try await taskAcquire(acquire)
        case .taskRelease(let id, let version): try await taskRelease(id: id, version: version)
        case .taskFulfill(let fulfill): try await taskFulfill(fulfill)
        case .taskSuspend(let suspend): try await taskSuspend(suspend)
        case .taskFence(let fence): try await taskFence(fence)
        case .taskHeartbeat(let heartbeat): try await taskHeartbeat(heartbeat)
        case .taskHalt(let id): try await taskHalt(id: id)
        case .taskContinue(let id): try await taskContinue(id: id)
        case .taskSearch(let search): try await taskSearch(search)
        case .scheduleGet(let id): try await scheduleGet(id: id)
        case .scheduleCreate(let create): try await scheduleCreate(create)
        case .scheduleDelete(let id): try await scheduleDelete(id: id)
        case .scheduleSearch(let search): try await scheduleSearch(search)
        case .debugStart, .debugStop, .debugReset, .debugSnap, .debugTick:
            preconditionFailure("debug operations are executed by the engine, not as transitions")
        }
    }
}
