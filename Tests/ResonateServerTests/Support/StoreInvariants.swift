// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol

/// The relations that must hold between promises, tasks, callbacks, listeners and the outbox after any sequence
/// of requests. Returns a description of each violation.
enum StoreInvariants {
    static func violations(in snapshot: StoreSnapshot) -> [String] {
        var problems: [String] = []
        let promises = Dictionary(uniqueKeysWithValues: snapshot.promises.map { ($0.id, $0) })
        let tasks = Dictionary(uniqueKeysWithValues: snapshot.tasks.map { ($0.id, $0) })
        for promise in snapshot.promises {
            if promise.state.isSettled != (promise.settledAt != nil) {
                problems.append("promise \(promise.id): settledAt must be set exactly when settled")
            }
            if let settledAt = promise.settledAt, settledAt < promise.createdAt {
                problems.append("promise \(promise.id): settled before it was created")
            }
            if promise.target != nil, tasks[promise.id] == nil {
                problems.append("promise \(promise.id) has a target but no task")
            }
        }
        for task in snapshot.tasks {
            guard let promise = promises[task.id] else {
                problems.append("task \(task.id) has no promise")
                continue
            }
            if promise.target == nil { problems.append("task \(task.id): its promise has no target") }
            if (task.state == .fulfilled) != promise.state.isSettled {
                problems.append("task \(task.id) is \(task.state) but its promise is \(promise.state)")
            }
            switch task.state {
            case .pending:
                if task.timeout?.kind != .retry { problems.append("pending task \(task.id) has no retry timeout") }
                if task.pid != nil || task.ttl != nil { problems.append("pending task \(task.id) keeps a lease owner") }
            case .acquired:
                if task.timeout?.kind != .lease { problems.append("acquired task \(task.id) has no lease") }
                if task.pid == nil || task.ttl == nil { problems.append("acquired task \(task.id) lacks pid or ttl") }
                if task.version < 1 { problems.append("acquired task \(task.id) has version \(task.version)") }
            case .suspended:
                let waiting = snapshot.callbacks.filter { $0.awaiter == task.id && !$0.ready }
                if waiting.isEmpty { problems.append("suspended task \(task.id) has no callback") }
                for callback in waiting where promises[callback.awaited]?.state != .pending {
                    problems.append("suspended task \(task.id) waits on settled \(callback.awaited)")
                }
                fallthrough
            case .halted, .fulfilled:
                if task.timeout != nil { problems.append("\(task.state) task \(task.id) has a timeout") }
                if task.pid != nil || task.ttl != nil { problems.append("\(task.state) task \(task.id) keeps a lease") }
            }
        }
        for callback in snapshot.callbacks {
            if promises[callback.awaited] == nil { problems.append("callback on missing \(callback.awaited)") }
            guard let awaiter = tasks[callback.awaiter] else {
                problems.append("callback for \(callback.awaiter), which has no task")
                continue
            }
            if awaiter.state == .fulfilled { problems.append("callback kept for fulfilled task \(awaiter.id)") }
        }
        for listener in snapshot.listeners {
            guard let promise = promises[listener.promiseID] else {
                problems.append("listener on missing promise \(listener.promiseID)")
                continue
            }
            if promise.state.isSettled { problems.append("listener kept on settled promise \(promise.id)") }
        }
        for entry in snapshot.outbox {
            switch entry.content {
            case .execute(let taskID, let version):
                guard let task = tasks[taskID] else {
                    problems.append("queued execute for missing task \(taskID)")
                    continue
                }
                if version > task.version { problems.append("queued execute of \(taskID) ahead of its version") }
            case .unblock(let promiseID):
                if promises[promiseID]?.state.isSettled != true {
                    problems.append("queued unblock for unsettled promise \(promiseID)")
                }
            }
        }
        return problems
    }
}
