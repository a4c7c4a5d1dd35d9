// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Transition {
    func promiseGet(id: String) async throws -> Reply {
        try await timeoutIfDue(id)
        guard let promise = try await transaction.promise(id: id) else {
            return Reply(.notFound("Promise not found"))
        }
        return .ok(.promise(promise))
    }

    func promiseCreate(_ create: PromiseCreate) async throws -> Reply {
        if let created = try await createPromiseIfAbsent(create) { return .ok(.promise(created)) }
        try await timeoutIfDue(create.id)
        return .ok(.promise(try await createPromise(create)))
    }

    func promiseSettle(_ request: PromiseSettle) async throws -> Reply {
        // The usual case, a pending promise before its timeout, settles in one step (one round trip on PostgreSQL).
        // Anything else takes the general path below, whose reads find the row this one read.
        let attempt = try await transaction.settlePromiseIfPending(
            id: request.id, state: request.state, value: request.value, settledAt: now)
        if case .settled(let promise, let waiters) = attempt {
            return .ok(
                .promise(
                    try await settlementChain(
                        promise, state: request.state, value: request.value, settledAt: now, waiters: waiters)))
        }
        try await timeoutIfDue(request.id)
        guard let promise = try await transaction.promise(id: request.id) else {
            return Reply(.notFound("Promise not found"))
        }
        guard promise.state == .pending else { return .ok(.promise(promise)) }
        return .ok(.promise(try await settle(promise, state: request.state, value: request.value, settledAt: now)))
    }

    func promiseRegisterCallback(awaited: String, awaiter: String) async throws -> Reply {
        try await timeoutIfDue(awaited)
        try await timeoutIfDue(awaiter)
        guard let awaitedPromise = try await transaction.promise(id: awaited) else {
            return Reply(.notFound("Awaited promise not found"))
        }
        guard let awaiterPromise = try await transaction.promise(id: awaiter) else {
            return Reply(.unprocessable("Awaiter promise not found"))
        }
        guard awaiterPromise.target != nil else {
            return Reply(.unprocessable("Awaiter promise has no resonate:target tag"))
        }
        guard awaiterPromise.state == .pending else { return .ok(.promise(awaitedPromise)) }
        if awaitedPromise.state == .pending {
            try await transaction.insertCallback(awaited: awaited, awaiter: awaiter, ready: false)
            return .ok(.promise(awaitedPromise))
        }
        // The awaited promise already settled: wake the awaiter now instead of waiting for a settlement.
        if var task = try await transaction.task(id: awaiter) {
            if task.state == .suspended {
                try await makePending(&task)
            }
            if task.state == .pending || task.state == .acquired {
                try await transaction.insertCallback(awaited: awaited, awaiter: awaiter, ready: true)
            }
        }
        return .ok(.promise(awaitedPromise))
    }

    func promiseRegisterListener(awaited: String, address: String) async throws -> Reply {
        try await timeoutIfDue(awaited)
        guard let promise = try await transaction.promise(id: awaited) else {
            return Reply(.notFound("Awaited promise not found"))
        }
        if promise.state == .pending {
            try await transaction.insertListener(promiseID: awaited, address: address)
        }
        return .ok(.promise(promise))
    }

    func promiseSearch(_ search: PromiseSearch) async throws -> Reply {
        var promises = try await transaction.searchPromises(
            state: search.state,
            tags: search.tags,
            after: search.cursor,
            limit: search.limit + 1
        )
        var cursor: String?
        if promises.count > search.limit {
            promises.removeLast(promises.count - search.limit)
            cursor = promises.last?.id
        }
        return .ok(.promises(promises, cursor: cursor))
    }
}
