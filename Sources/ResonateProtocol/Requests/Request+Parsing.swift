// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Request {
    /// Parses and checks the `data` of an operation: field types first (the first wrong field is reported),
    /// then field rules (every broken rule is reported, each once, joined by `"; "`).
    ///
    /// Rules that relate several fields or depend on server configuration (lineage, addresses) are checked by
    /// ``validate(rules:)``.
    ///
    /// - Throws: ``RequestError`` with status 400.
    public init(kind: String, data: JSONValue) throws(RequestError) {
        guard let requestKind = RequestKind(rawValue: kind) else {
            throw .badRequest("Unknown operation: \(kind)")
        }
        guard case .object(let members) = data else {
            throw .badRequest("Invalid 'data' field — must be an object")
        }
        self = try Self.parse(requestKind, ObjectReader(members))
    }

    private static func parse(_ kind: RequestKind, _ data: ObjectReader) throws(RequestError) -> Request {
        var violations = FieldViolations()
        let request: Request
        switch kind {
        case .promiseGet:
            let id = try data.string("id")
            checkID(id, "Promise ID", &violations)
            request = .promiseGet(id: id)
        case .promiseCreate:
            request = .promiseCreate(try parsePromiseCreate(data, &violations))
        case .promiseSettle:
            request = .promiseSettle(try parsePromiseSettle(data, &violations))
        case .promiseRegisterCallback:
            let awaited = try data.string("awaited")
            let awaiter = try data.string("awaiter")
            checkID(awaited, "Awaited promise ID", &violations)
            checkID(awaiter, "Awaiter promise ID", &violations)
            request = .promiseRegisterCallback(awaited: awaited, awaiter: awaiter)
        case .promiseRegisterListener:
            let awaited = try data.string("awaited")
            let address = try data.string("address")
            checkID(awaited, "Awaited promise ID", &violations)
            violations.check(!address.isEmpty, "Address is required")
            checkNoNullBytes(address, "Address", &violations)
            request = .promiseRegisterListener(awaited: awaited, address: address)
        case .promiseSearch:
            let state = try data.enumeration("state", as: PromiseState.self)
            let tags = try data.stringMap(
                "tags",
                maximumCount: Limits.tagCount,
                keyLength: Limits.tagKeyLength,
                valueLength: Limits.tagValueLength
            )
            let limit = try parseLimit(data, default: 100, &violations)
            let cursor = try data.optionalString("cursor")
            request = .promiseSearch(PromiseSearch(state: state, tags: tags, limit: limit, cursor: cursor))
        case .taskGet:
            request = .taskGet(id: try parseTaskID(data, &violations))
        case .taskCreate:
            let pid = try data.string("pid")
            let ttl = try data.integer("ttl")
            let action = try data.object("action")
            try checkActionKind(action, expected: .promiseCreate)
            let promise = try parsePromiseCreate(try action.object("data"), &violations)
            checkProcessID(pid, &violations)
            checkTTL(ttl, &violations)
            request = .taskCreate(TaskCreate(pid: pid, ttl: ttl, promise: promise))
        case .taskAcquire:
            let id = try data.string("id")
            let version = try data.integer("version")
            let pid = try data.string("pid")
            let ttl = try data.integer("ttl")
            checkID(id, "Task ID", &violations)
            checkVersion(version, &violations)
            checkProcessID(pid, &violations)
            checkTTL(ttl, &violations)
            request = .taskAcquire(TaskAcquire(id: id, version: version, pid: pid, ttl: ttl))
        case .taskRelease:
            let id = try data.string("id")
            let version = try data.integer("version")
            checkID(id, "Task ID", &violations)
            checkVersion(version, &violations)
            request = .taskRelease(id: id, version: version)
        case .taskFulfill:
            let id = try data.string("id")
            let version = try data.integer("version")
            let action = try data.object("action")
            try checkActionKind(action, expected: .promiseSettle)
            checkID(id, "Task ID", &violations)
            checkVersion(version, &violations)
            let settle = try parsePromiseSettle(try action.object("data"), &violations)
            request = .taskFulfill(TaskFulfill(id: id, version: version, settle: settle))
        case .taskSuspend:
            let id = try data.string("id")
            let version = try data.integer("version")
            let actions = try data.array("actions")
            var callbacks: [TaskSuspend.Callback] = []
            for (index, element) in actions.enumerated() {
                guard case .object(let members) = element else {
                    throw .badRequest(
                        "Invalid request: field 'actions[\(index)]' must be an object, got \(element.typeDescription)"
                    )
                }
                let action = ObjectReader(members, path: "actions[\(index)]")
                try checkActionKind(action, expected: .promiseRegisterCallback)
                let callback = try action.object("data")
                callbacks.append(
                    TaskSuspend.Callback(
                        awaited: try callback.string("awaited"),
                        awaiter: try callback.string("awaiter")
                    )
                )
            }
            checkID(id, "Task ID", &violations)
            checkVersion(version, &violations)
            violations.check(!callbacks.isEmpty, "Actions array cannot be empty")
            for callback in callbacks {
                checkID(callback.awaited, "Awaited promise ID", &violations)
                checkID(callback.awaiter, "Awaiter promise ID", &violations)
            }
            request = .taskSuspend(TaskSuspend(id: id, version: version, callbacks: callbacks))
        case .taskFence:
            let id = try data.string("id")
            let version = try data.integer("version")
            let action = try data.object("action")
            let actionKind = try action.string("kind")
            checkID(id, "Task ID", &violations)
            checkVersion(version, &violations)
            let actionData = ObjectReader(
                try action.object("data").members,
                path: "action.data",
                messagePrefix: "Invalid action data: "
            )
            switch actionKind {
            case RequestKind.promiseCreate.rawValue:
                request = .taskFence(
                    TaskFence(
                        id: id, version: version, action: .create(try parsePromiseCreate(actionData, &violations)))
                )
            case RequestKind.promiseSettle.rawValue:
                request = .taskFence(
                    TaskFence(
                        id: id, version: version, action: .settle(try parsePromiseSettle(actionData, &violations)))
                )
            default:
                throw .badRequest("Invalid fence action kind")
            }
        case .taskHeartbeat:
            let pid = try data.string("pid")
            let entries = try data.array("tasks")
            var tasks: [TaskReference] = []
            tasks.reserveCapacity(entries.count)
            for (index, element) in entries.enumerated() {
                guard case .object(let members) = element else {
                    throw .badRequest(
                        "Invalid request: field 'tasks[\(index)]' must be an object, got \(element.typeDescription)"
                    )
                }
                let entry = ObjectReader(members, path: "tasks[\(index)]")
                tasks.append(TaskReference(id: try entry.string("id"), version: try entry.integer("version")))
            }
            checkProcessID(pid, &violations)
            violations.check(!tasks.isEmpty, "Tasks array must not be empty")
            for task in tasks { checkNoNullBytes(task.id, "Task ID", &violations) }
            request = .taskHeartbeat(TaskHeartbeat(pid: pid, tasks: tasks))
        case .taskHalt:
            request = .taskHalt(id: try parseTaskID(data, &violations))
        case .taskContinue:
            request = .taskContinue(id: try parseTaskID(data, &violations))
        case .taskSearch:
            let state = try data.enumeration("state", as: TaskState.self)
            let limit = try parseLimit(data, default: 100, &violations)
            let cursor = try data.optionalString("cursor")
            request = .taskSearch(TaskSearch(state: state, limit: limit, cursor: cursor))
        case .scheduleGet:
            let id = try data.string("id")
            checkID(id, "Schedule ID", &violations)
            request = .scheduleGet(id: id)
        case .scheduleCreate:
            let id = try data.string("id")
            let cron = try data.string("cron")
            let promiseID = try data.string("promiseId")
            let promiseTimeout = try data.integer("promiseTimeout")
            let promiseParam = try data.value("promiseParam")
            let promiseTags = try data.stringMap(
                "promiseTags",
                maximumCount: Limits.tagCount,
                keyLength: Limits.tagKeyLength,
                valueLength: Limits.tagValueLength
            )
            checkID(id, "Schedule ID", &violations)
            violations.check(!cron.isEmpty, "Cron expression is required")
            checkNoNullBytes(cron, "Cron expression", &violations)
            checkNoNullBytes(promiseID, "Promise ID template", &violations)
            violations.check(
                cron.utf8.count <= Limits.cronLength, "Cron expression must be at most \(Limits.cronLength) bytes")
            violations.check(!promiseID.isEmpty, "Promise ID template is required")
            violations.check(
                promiseID.utf8.count <= Limits.idLength,
                "Promise ID template must be at most \(Limits.idLength) bytes"
            )
            violations.check(promiseTimeout >= 0, "Promise timeout must be a non-negative integer")
            violations.check(
                promiseTimeout <= Limits.maximumScheduleTimeout,
                "Promise timeout must be at most \(Limits.maximumScheduleTimeout) ms (100 years)"
            )
            request = .scheduleCreate(
                ScheduleCreate(
                    id: id,
                    cron: cron,
                    promiseId: promiseID,
                    promiseTimeout: promiseTimeout,
                    promiseParam: promiseParam,
                    promiseTags: promiseTags
                )
            )
        case .scheduleDelete:
            let id = try data.string("id")
            checkID(id, "Schedule ID", &violations)
            request = .scheduleDelete(id: id)
        case .scheduleSearch:
            let tags = try data.stringMap(
                "tags",
                maximumCount: Limits.tagCount,
                keyLength: Limits.tagKeyLength,
                valueLength: Limits.tagValueLength
            )
            let limit = try parseLimit(data, default: 10, &violations)
            let cursor = try data.optionalString("cursor")
            request = .scheduleSearch(ScheduleSearch(tags: tags, limit: limit, cursor: cursor))
        case .debugStart:
            request = .debugStart
        case .debugStop:
            request = .debugStop
        case .debugReset:
            request = .debugReset
        case .debugSnap:
            request = .debugSnap
        case .debugTick:
            guard case .integer(let time)? = data.members["time"] else {
                throw .badRequest("Missing or invalid 'time' field")
            }
            request = .debugTick(time: time)
        }
        try violations.throwIfAny()
        return request
    }

    private static func parsePromiseCreate(
        _ data: ObjectReader,
        _ violations: inout FieldViolations
    ) throws(RequestError) -> PromiseCreate {
        let id = try data.string("id")
        let timeoutAt = try data.integer("timeoutAt")
        let param = try data.value("param")
        let tags = try data.stringMap(
            "tags",
            maximumCount: Limits.tagCount,
            keyLength: Limits.tagKeyLength,
            valueLength: Limits.tagValueLength
        )
        checkID(id, "Promise ID", &violations)
        checkTime(timeoutAt, "TimeoutAt", &violations)
        var settlement: PromiseCreate.Settlement?
        if data.present(PromiseCreate.settlementField) != nil {
            let reader = try data.object(PromiseCreate.settlementField)
            guard let state = try reader.enumeration("state", as: PromiseState.self, allowed: [.resolved, .rejected])
            else { throw reader.missing("state") }
            let startedAt = try reader.optionalInteger("startedAt")
            if let startedAt { checkTime(startedAt, "startedAt", &violations) }
            settlement = PromiseCreate.Settlement(state: state, value: try reader.value("value"), startedAt: startedAt)
        }
        return PromiseCreate(id: id, timeoutAt: timeoutAt, param: param, tags: tags, settlement: settlement)
    }

    private static func parsePromiseSettle(
        _ data: ObjectReader,
        _ violations: inout FieldViolations
    ) throws(RequestError) -> PromiseSettle {
        let id = try data.string("id")
        guard
            let state = try data.enumeration(
                "state",
                as: PromiseState.self,
                allowed: [.resolved, .rejected, .rejectedCanceled]
            )
        else { throw data.missing("state") }
        let value = try data.value("value")
        checkID(id, "Promise ID", &violations)
        return PromiseSettle(id: id, state: state, value: value)
    }

    private static func parseTaskID(
        _ data: ObjectReader, _ violations: inout FieldViolations
    ) throws(RequestError)
        -> String
    {
        let id = try data.string("id")
        checkID(id, "Task ID", &violations)
        return id
    }

    private static func parseLimit(
        _ data: ObjectReader,
        default defaultLimit: Int,
        _ violations: inout FieldViolations
    ) throws(RequestError) -> Int {
        guard let limit = try data.optionalInteger("limit") else { return defaultLimit }
        violations.check(limit >= 1, "Limit must be a positive integer")
        if limit > Int64(Limits.searchLimit) {
            throw .badRequest("Invalid 'limit' — must be between 1 and \(Limits.searchLimit)")
        }
        return Int(max(limit, 1))
    }

    /// Nested actions carry their own `kind`; when present it must name the operation the field stands for.
    private static func checkActionKind(_ action: ObjectReader, expected: RequestKind) throws(RequestError) {
        if let kind = try action.optionalString("kind"), kind != expected.rawValue {
            throw .badRequest(
                "Invalid request: field '\(action.fieldName("kind"))' must be '\(expected.rawValue)', got '\(kind)'"
            )
        }
    }

    private static func checkID(_ id: String, _ noun: String, _ violations: inout FieldViolations) {
        violations.check(!id.isEmpty, "\(noun) is required")
        violations.check(id.utf8.count <= Limits.idLength, "\(noun) must be at most \(Limits.idLength) bytes")
        checkNoNullBytes(id, noun, &violations)
    }

    /// Stored and looked-up strings must be free of U+0000, which PostgreSQL's `text` cannot hold (see
    /// `ObjectReader.checkNoNullBytes`).
    private static func checkNoNullBytes(_ text: String, _ noun: String, _ violations: inout FieldViolations) {
        violations.check(!text.utf8.contains(0), "\(noun) must not contain null bytes")
    }

    private static func checkProcessID(_ pid: String, _ violations: inout FieldViolations) {
        violations.check(!pid.isEmpty, "Process ID is required")
        checkNoNullBytes(pid, "Process ID", &violations)
        violations.check(
            pid.utf8.count <= Limits.processIDLength,
            "Process ID must be at most \(Limits.processIDLength) bytes"
        )
    }

    private static func checkVersion(_ version: Int64, _ violations: inout FieldViolations) {
        violations.check(version >= 0, "Version must be a non-negative integer")
    }

    private static func checkTTL(_ ttl: Int64, _ violations: inout FieldViolations) {
        violations.check(ttl >= 1, "TTL must be a positive integer")
        violations.check(ttl <= Limits.maximumTTL, "TTL must be at most \(Limits.maximumTTL) ms (7 days)")
    }

    private static func checkTime(_ time: Int64, _ noun: String, _ violations: inout FieldViolations) {
        violations.check(time >= 0, "\(noun) must be a non-negative integer")
        violations.check(
            time <= Limits.latestTime,
            "\(noun) must be at most \(Limits.latestTime) (9999-12-31T23:59:59.999Z)"
        )
    }
}
