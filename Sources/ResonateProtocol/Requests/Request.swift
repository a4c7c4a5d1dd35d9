// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A protocol operation with its validated arguments: the `kind` and `data` of a request envelope.
///
/// ```swift
/// let request = try Request(kind: "promise.get", data: .object(["id": .string("wf")]))
/// // request == .promiseGet(id: "wf")
/// ```
public enum Request: Sendable, Hashable {
    case promiseGet(id: String)
    case promiseCreate(PromiseCreate)
    case promiseSettle(PromiseSettle)
    case promiseRegisterCallback(awaited: String, awaiter: String)
    case promiseRegisterListener(awaited: String, address: String)
    case promiseSearch(PromiseSearch)
    case taskGet(id: String)
    case taskCreate(TaskCreate)
    case taskAcquire(TaskAcquire)
    case taskRelease(id: String, version: Int64)
    case taskFulfill(TaskFulfill)
    case taskSuspend(TaskSuspend)
    case taskFence(TaskFence)
    case taskHeartbeat(TaskHeartbeat)
    case taskHalt(id: String)
    case taskContinue(id: String)
    case taskSearch(TaskSearch)
    case scheduleGet(id: String)
    case scheduleCreate(ScheduleCreate)
    case scheduleDelete(id: String)
    case scheduleSearch(ScheduleSearch)
    case debugStart
    case debugStop
    case debugReset
    case debugSnap
    case debugTick(time: Int64)

    public var kind: RequestKind {
        switch self {
        case .promiseGet: .promiseGet
        case .promiseCreate: .promiseCreate
        case .promiseSettle: .promiseSettle
        case .promiseRegisterCallback: .promiseRegisterCallback
        case .promiseRegisterListener: .promiseRegisterListener
        case .promiseSearch: .promiseSearch
        case .taskGet: .taskGet
        case .taskCreate: .taskCreate
        case .taskAcquire: .taskAcquire
        case .taskRelease: .taskRelease
        case .taskFulfill: .taskFulfill
        case .taskSuspend: .taskSuspend
        case .taskFence: .taskFence
        case .taskHeartbeat: .taskHeartbeat
        case .taskHalt: .taskHalt
        case .taskContinue: .taskContinue
        case .taskSearch: .taskSearch
        case .scheduleGet: .scheduleGet
        case .scheduleCreate: .scheduleCreate
        case .scheduleDelete: .scheduleDelete
        case .scheduleSearch: .scheduleSearch
        case .debugStart: .debugStart
        case .debugStop: .debugStop
        case .debugReset: .debugReset
        case .debugSnap: .debugSnap
        case .debugTick: .debugTick
        }
    }
}

/// `promise.create` data: create a promise unless one with the id exists.
public struct PromiseCreate: Sendable, Hashable {
    public var id: String
    /// Absolute deadline in milliseconds since the epoch.
    public var timeoutAt: Int64
    public var param: Value
    public var tags: [String: String]
    /// How the new promise is to be stored, already settled: an extension of this implementation, not of the
    /// protocol (see ``settlementField``).
    public var settlement: Settlement?

    /// The state and value a promise is created in (``settlementField``).
    public struct Settlement: Sendable, Hashable {
        /// `resolved` or `rejected`.
        public var state: PromiseState
        public var value: Value
        /// When the work the promise records began (milliseconds since the epoch), recorded as its creation time
        /// so that its duration shows; the server takes its own time instead when this is later.
        public var startedAt: Int64?

        public init(state: PromiseState, value: Value = .empty, startedAt: Int64? = nil) {
            self.state = state
            self.value = value
            self.startedAt = startedAt
        }
    }

    /// A `promise.create` data field of this implementation, not of the protocol:
    /// `"resonate-swift:settle": {"state": "resolved", "value": {…}, "startedAt": …}` stores a promise that does not exist yet
    /// already settled, in one write, when it has no target (a task-less promise, such as a local step's
    /// checkpoint). An existing promise is returned as it is, and an expired one times out, as without the field.
    ///
    /// The Swift SDK sends it for a local step it knows has no checkpoint yet (in its execution's first run): the
    /// step's checkpoint is then written once, when the step ends, instead of created and later settled. Servers
    /// that do not know the field ignore it and create the promise pending, which the SDK then settles.
    public static let settlementField = "resonate-swift:settle"

    public init(
        id: String, timeoutAt: Int64, param: Value = .empty, tags: [String: String] = [:],
        settlement: Settlement? = nil
    ) {
        self.id = id
        self.timeoutAt = timeoutAt
        self.param = param
        self.tags = tags
        self.settlement = settlement
    }
}

/// `promise.settle` data.
public struct PromiseSettle: Sendable, Hashable {
    public var id: String
    /// One of `resolved`, `rejected`, `rejectedCanceled`.
    public var state: PromiseState
    public var value: Value

    public init(id: String, state: PromiseState, value: Value = .empty) {
        self.id = id
        self.state = state
        self.value = value
    }
}

/// `promise.search` data.
public struct PromiseSearch: Sendable, Hashable {
    public var state: PromiseState?
    /// Every pair must be present on a matching promise.
    public var tags: [String: String]
    public var limit: Int
    /// Exclusive lower bound on the id: the `cursor` of the previous page.
    public var cursor: String?

    public init(state: PromiseState? = nil, tags: [String: String] = [:], limit: Int = 100, cursor: String? = nil) {
        self.state = state
        self.tags = tags
        self.limit = limit
        self.cursor = cursor
    }
}

/// `task.create` data: create a promise with a target and acquire its task in one step.
public struct TaskCreate: Sendable, Hashable {
    public var pid: String
    /// Lease length in milliseconds.
    public var ttl: Int64
    public var promise: PromiseCreate
    /// Start a cleanup execution if the promise is canceled (see ``Request/cleanupHeadField``).
    public var requestsCleanup = false

    public init(pid: String, ttl: Int64, promise: PromiseCreate) {
        self.pid = pid
        self.ttl = ttl
        self.promise = promise
    }
}

/// `task.acquire` data.
public struct TaskAcquire: Sendable, Hashable {
    public var id: String
    public var version: Int64
    public var pid: String
    public var ttl: Int64
    /// Answer with an empty preload (see ``Request/preloadHeadField``).
    public var omitsPreload = false
    /// Start a cleanup execution if the promise is canceled (see ``Request/cleanupHeadField``).
    public var requestsCleanup = false

    public init(id: String, version: Int64, pid: String, ttl: Int64) {
        self.id = id
        self.version = version
        self.pid = pid
        self.ttl = ttl
    }
}

/// `task.fulfill` data: settle the task's promise under the lease.
public struct TaskFulfill: Sendable, Hashable {
    public var id: String
    public var version: Int64
    public var settle: PromiseSettle

    public init(id: String, version: Int64, settle: PromiseSettle) {
        self.id = id
        self.version = version
        self.settle = settle
    }
}

/// `task.suspend` data: wait for the awaited promises, releasing the lease.
public struct TaskSuspend: Sendable, Hashable {
    public var id: String
    public var version: Int64
    /// The `promise.register_callback` actions, as (awaited, awaiter) pairs.
    public var callbacks: [Callback]
    /// Answer a 300 with an empty preload (see ``Request/preloadHeadField``).
    public var omitsPreload = false

    public struct Callback: Sendable, Hashable {
        public var awaited: String
        public var awaiter: String

        public init(awaited: String, awaiter: String) {
            self.awaited = awaited
            self.awaiter = awaiter
        }
    }

    public init(id: String, version: Int64, callbacks: [Callback]) {
        self.id = id
        self.version = version
        self.callbacks = callbacks
    }

    /// Suspends `id` on each of `awaited`.
    public init(id: String, version: Int64, awaiting awaited: [String]) {
        self.init(id: id, version: version, callbacks: awaited.map { Callback(awaited: $0, awaiter: id) })
    }
}

/// `task.fence` data: one promise mutation that happens only while the lease is held.
public struct TaskFence: Sendable, Hashable {
    public var id: String
    public var version: Int64
    public var action: Action
    /// Answer with an empty preload (see ``Request/preloadHeadField``).
    public var omitsPreload = false

    public enum Action: Sendable, Hashable {
        case create(PromiseCreate)
        case settle(PromiseSettle)

        public var kind: RequestKind {
            switch self {
            case .create: .promiseCreate
            case .settle: .promiseSettle
            }
        }

        public var promiseID: String {
            switch self {
            case .create(let create): create.id
            case .settle(let settle): settle.id
            }
        }
    }

    public init(id: String, version: Int64, action: Action) {
        self.id = id
        self.version = version
        self.action = action
    }
}

/// `task.heartbeat` data: extend the leases `pid` holds.
public struct TaskHeartbeat: Sendable, Hashable {
    public var pid: String
    public var tasks: [TaskReference]

    public init(pid: String, tasks: [TaskReference]) {
        self.pid = pid
        self.tasks = tasks
    }
}

/// A task at a version: `{"id":…,"version":…}`.
public struct TaskReference: Sendable, Hashable {
    public var id: String
    public var version: Int64

    public init(id: String, version: Int64) {
        self.id = id
        self.version = version
    }
}

/// `task.search` data.
public struct TaskSearch: Sendable, Hashable {
    public var state: TaskState?
    public var limit: Int
    public var cursor: String?

    public init(state: TaskState? = nil, limit: Int = 100, cursor: String? = nil) {
        self.state = state
        self.limit = limit
        self.cursor = cursor
    }
}

/// `schedule.create` data.
public struct ScheduleCreate: Sendable, Hashable {
    public var id: String
    public var cron: String
    /// Id template of the created promises; `{{.id}}` and `{{.timestamp}}` are substituted.
    public var promiseId: String
    /// Relative timeout of created promises, in milliseconds.
    public var promiseTimeout: Int64
    public var promiseParam: Value
    public var promiseTags: [String: String]

    public init(
        id: String,
        cron: String,
        promiseId: String,
        promiseTimeout: Int64,
        promiseParam: Value = .empty,
        promiseTags: [String: String]
    ) {
        self.id = id
        self.cron = cron
        self.promiseId = promiseId
        self.promiseTimeout = promiseTimeout
        self.promiseParam = promiseParam
        self.promiseTags = promiseTags
    }
}

/// `schedule.search` data.
public struct ScheduleSearch: Sendable, Hashable {
    /// Matched against each schedule's `promiseTags`.
    public var tags: [String: String]
    public var limit: Int
    public var cursor: String?

    public init(tags: [String: String] = [:], limit: Int = 10, cursor: String? = nil) {
        self.tags = tags
        self.limit = limit
        self.cursor = cursor
    }
}
