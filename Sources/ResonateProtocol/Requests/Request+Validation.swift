// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Request {
    /// Checks the rules that relate fields to each other: lineage tags against ids, addresses, same-origin
    /// callbacks, schedule ids and cron syntax. Runs after parsing and before any storage work, so a request that
    /// fails it changes nothing.
    ///
    /// - Throws: ``RequestError`` with status 400.
    public func validate(rules: IDRules) throws(RequestError) {
        switch self {
        case .promiseCreate(let create):
            try Self.validatePromiseCreate(create, rules: rules)
            try Self.validateTarget(of: create)
        case .taskCreate(let create):
            try Self.validatePromiseCreate(create.promise, rules: rules)
            guard create.promise.tags[Tag.target] != nil else {
                throw .badRequest("Action must have a resonate:target tag")
            }
            guard create.promise.tags[Tag.delay] == nil else {
                throw .badRequest("Action must not have a resonate:delay tag")
            }
            try Self.validateTarget(of: create.promise)
        case .promiseRegisterCallback(let awaited, let awaiter):
            try Self.validateCallback(awaited: awaited, awaiter: awaiter, rules: rules)
        case .promiseRegisterListener(_, let address):
            do {
                _ = try Address(parsing: address)
            } catch {
                throw .badRequest("Invalid listener address '\(address)': \(error.reason)")
            }
        case .taskSuspend(let suspend):
            for callback in suspend.callbacks {
                try Self.validateCallback(awaited: callback.awaited, awaiter: callback.awaiter, rules: rules)
            }
            for callback in suspend.callbacks {
                guard callback.awaiter == suspend.id else {
                    throw .badRequest("All action awaiter IDs must match the task ID")
                }
                guard callback.awaited != suspend.id else {
                    throw .badRequest("Action awaited promise must not equal the task ID")
                }
                guard rules.sameOrigin(callback.awaited, suspend.id) else {
                    throw .badRequest("Awaited promise must belong to the same origin as the task")
                }
            }
        case .taskFulfill(let fulfill):
            guard fulfill.settle.id == fulfill.id else { throw .badRequest("Action ID must match the task ID") }
        case .taskFence(let fence):
            guard fence.action.promiseID != fence.id else {
                throw .badRequest("Action ID must not equal the task ID")
            }
            if case .create(let create) = fence.action {
                try Self.validatePromiseCreate(create, rules: rules)
                try Self.validateTarget(of: create)
            }
        case .scheduleCreate(let create):
            guard !create.id.contains(".") else { throw .badRequest("Schedule ID must not contain '.'") }
            if rules == .colon {
                guard !create.id.contains(":") else { throw .badRequest("Schedule ID must not contain ':'") }
                guard !create.promiseId.contains(":") else {
                    throw .badRequest(
                        "Promise ID template must not contain ':' (the created promises are roots of their own lineage)"
                    )
                }
            }
            guard let target = create.promiseTags[Tag.target] else {
                throw .badRequest("promiseTags must include a resonate:target tag")
            }
            do {
                _ = try Address(parsing: target)
            } catch {
                throw .badRequest("Invalid resonate:target address '\(target)': \(error.reason)")
            }
            do {
                _ = try CronExpression(parsing: create.cron)
            } catch {
                throw .badRequest(error.description)
            }
        case .promiseGet, .promiseSettle, .promiseSearch, .taskGet, .taskAcquire, .taskRelease, .taskHeartbeat,
            .taskHalt, .taskContinue, .taskSearch, .scheduleGet, .scheduleDelete, .scheduleSearch, .debugStart,
            .debugStop, .debugReset, .debugSnap, .debugTick:
            break
        }
    }

    private static func validatePromiseCreate(_ create: PromiseCreate, rules: IDRules) throws(RequestError) {
        guard !create.id.utf8.contains(0) else { throw .badRequest("Promise ID must not contain null bytes") }
        if let violation = rules.violations(id: create.id, tags: create.tags).first {
            throw .badRequest(violation)
        }
        if let delay = create.tags[Tag.delay] {
            guard let time = Int64(delay), time >= 0 else {
                throw .badRequest("resonate:delay must be a non-negative integer")
            }
            guard time < create.timeoutAt else { throw .badRequest("resonate:delay must be less than timeoutAt") }
            guard create.tags[Tag.target] != nil else {
                throw .badRequest("resonate:delay requires a resonate:target tag")
            }
        }
    }

    private static func validateTarget(of create: PromiseCreate) throws(RequestError) {
        guard let target = create.tags[Tag.target] else { return }
        do {
            _ = try Address(parsing: target)
        } catch {
            throw .badRequest("Invalid resonate:target address '\(target)': \(error.reason)")
        }
    }

    private static func validateCallback(awaited: String, awaiter: String, rules: IDRules) throws(RequestError) {
        guard awaited != awaiter else { throw .badRequest("Awaited and awaiter must be different promises") }
        guard rules.sameOrigin(awaited, awaiter) else {
            throw .badRequest("Awaiter and awaited must belong to the same origin")
        }
    }
}
