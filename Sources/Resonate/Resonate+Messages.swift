// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateProtocol

extension Resonate {
    func handle(_ message: Message) {
        switch message {
        case .execute(let taskID, let version):
            do {
                try submit(.execute(taskID: taskID, version: version))
            } catch {
                // Stopping: the server sends the execute again (to another process) when the task's retry is due.
                runtime.logger.debug("not taking a task while stopping", metadata: ["task": "\(taskID)"])
            }
        case .unblock(let promise):
            runtime.subscriptions.update(promise)
        }
    }

    func renewLeases() async {
        // A third of the lease: one late or lost heartbeat still leaves time for the next before the lease ends.
        let interval = max(runtime.ttl / 3, 100)
        while !Task.isCancelled {
            do {
                try await runtime.clock.sleep(untilMilliseconds: runtime.clock.now.milliseconds + interval)
            } catch {
                return
            }
            let due = runtime.tasks.heartbeats.due(at: runtime.clock.now.milliseconds)
            guard !due.isEmpty else { continue }
            do {
                _ = try await runtime.transport.send(.taskHeartbeat(TaskHeartbeat(pid: runtime.pid, tasks: due)))
            } catch {
                runtime.logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    func refreshListenersPeriodically() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: listenerRefreshInterval)
            } catch {
                return
            }
            await refreshListeners()
        }
    }

    /// Re-registers interest in every pending handle: `unblock` messages are not redelivered after a reconnection.
    func refreshListeners() async {
        for id in runtime.subscriptions.pendingIDs {
            do {
                try await runtime.registerListener(id)
            } catch {
                runtime.logger.debug("listener refresh failed", metadata: ["promise": "\(id)", "error": "\(error)"])
            }
        }
    }
}
