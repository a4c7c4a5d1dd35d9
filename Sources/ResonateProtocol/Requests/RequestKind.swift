// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Every operation of the protocol, named as in the envelope's `kind`.
public enum RequestKind: String, Sendable, Hashable, CaseIterable {
    case promiseGet = "promise.get"
    case promiseCreate = "promise.create"
    case promiseSettle = "promise.settle"
    case promiseRegisterCallback = "promise.register_callback"
    case promiseRegisterListener = "promise.register_listener"
    case promiseSearch = "promise.search"
    case taskGet = "task.get"
    case taskCreate = "task.create"
    case taskAcquire = "task.acquire"
    case taskRelease = "task.release"
    case taskFulfill = "task.fulfill"
    case taskSuspend = "task.suspend"
    case taskFence = "task.fence"
    case taskHeartbeat = "task.heartbeat"
    case taskHalt = "task.halt"
    case taskContinue = "task.continue"
    case taskSearch = "task.search"
    case scheduleGet = "schedule.get"
    case scheduleCreate = "schedule.create"
    case scheduleDelete = "schedule.delete"
    case scheduleSearch = "schedule.search"
    case debugStart = "debug.start"
    case debugStop = "debug.stop"
    case debugReset = "debug.reset"
    case debugSnap = "debug.snap"
    case debugTick = "debug.tick"

    /// Whether the operation exists only on servers started in debug mode.
    public var isDebug: Bool { rawValue.hasPrefix("debug.") }

    /// Whether the operation only reads committed state (no lazy timeouts, no writes).
    public var isReadOnly: Bool {
        switch self {
        case .promiseSearch, .taskSearch, .scheduleGet, .scheduleSearch, .debugSnap: true
        default: false
        }
    }
}
