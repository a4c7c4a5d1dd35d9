// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

extension Engine {
    func executeDebug(_ request: Request, debugTime: Int64?) async throws -> Reply {
        switch request {
        case .debugStart:
            outbox.withLock { $0.isPaused = true }
            return .ok(.empty)
        case .debugStop:
            outbox.withLock { $0.isPaused = false }
            timerSignal.hint(Int64.min)
            try await redeliverOutbox()
            return .ok(.empty)
        case .debugReset:
            try await store.write { transaction in try await transaction.deleteAll() }
            outbox.withLock { $0.reset() }
            return .ok(.empty)
        case .debugSnap:
            let snapshot = try await store.read { transaction in try await transaction.snapshot() }
            return .ok(.snapshot(Self.debugSnapshot(of: snapshot)))
        case .debugTick(let time):
            if let debugTime, debugTime != time {
                return Reply(.badRequest("resonate:debug_time must equal data.time"))
            }
            try await runTimerPass(at: time)
            return .ok(.emptyArray)
        default:
            preconditionFailure("not a debug operation: \(request.kind.rawValue)")
        }
    }

    /// The `debug.snap` view of a store snapshot.
    static func debugSnapshot(of snapshot: StoreSnapshot) -> DebugSnapshot {
        var readyCounts: [String: Int64] = [:]
        for callback in snapshot.callbacks where callback.ready { readyCounts[callback.awaiter, default: 0] += 1 }
        let promisesByID = Dictionary(snapshot.promises.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var messages: [DebugSnapshot.QueuedMessage] = []
        let executes = snapshot.outbox.compactMap { entry -> (String, DebugSnapshot.QueuedMessage)? in
            guard case .execute(let taskID, let version) = entry.content else { return nil }
            return (taskID, .init(address: entry.address, message: .execute(taskID: taskID, version: version)))
        }
        messages += executes.sorted { $0.0 < $1.0 }.map(\.1)
        let unblocks = snapshot.outbox.compactMap { entry -> (String, String, DebugSnapshot.QueuedMessage)? in
            guard case .unblock(let promiseID) = entry.content, let promise = promisesByID[promiseID] else {
                return nil
            }
            return (promiseID, entry.address, .init(address: entry.address, message: .unblock(promise: promise)))
        }
        messages += unblocks.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
        return DebugSnapshot(
            promises: snapshot.promises,
            promiseTimeouts: snapshot.promises
                .filter { $0.state == .pending }
                .map { .init(id: $0.id, timeout: $0.timeoutAt) },
            callbacks: snapshot.callbacks
                .filter { !$0.ready }
                .sorted { ($0.awaiter, $0.awaited) < ($1.awaiter, $1.awaited) }
                .map { .init(awaited: $0.awaited, awaiter: $0.awaiter) },
            listeners: snapshot.listeners.map { .init(id: $0.promiseID, address: $0.address) },
            tasks: snapshot.tasks.map { $0.record(resumes: readyCounts[$0.id] ?? 0) },
            taskTimeouts: snapshot.tasks.compactMap { task in
                task.timeout.map { .init(id: task.id, type: $0.kind.rawValue, timeout: $0.at) }
            },
            messages: messages
        )
    }
}
