// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// An execution released from memory while it holds a sleep (``Resonate/Configuration/heldSleepHistoryLimit``):
/// what a new pass needs to replay it, without a request, once the sleep ends. The task keeps its lease meanwhile.
struct SleepingExecution: Sendable {
    let task: TaskRecord
    let promise: PromiseRecord
    /// The records the released pass had.
    let history: [PromiseRecord]
    let sleep: PassState.HeldSleep

    /// The history as it is once the sleep has ended: the sleep's promise resolved, as the server resolves it at its
    /// deadline.
    var historyAfterSleep: [PromiseRecord] {
        history.map { record in
            guard record.id == sleep.id, record.state == .pending else { return record }
            var ended = record
            ended.state = .resolved
            return ended
        }
    }
}
