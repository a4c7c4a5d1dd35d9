// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The queue behind group commit, as a state machine.
///
/// Callers submit jobs. The first caller to find the queue idle becomes the *leader*: it takes a batch, runs it
/// in one transaction, commits once, and completes the followers' jobs. Jobs submitted meanwhile wait; when the
/// leader finishes it promotes the oldest waiting job's caller to lead the next batch. No background task exists:
/// the callers' own tasks do the work, so the queue needs no lifecycle of its own, and each caller leads at most
/// one batch before returning.
package struct JobQueue<Job> {
    package private(set) var waiting: [Job] = []
    package private(set) var hasLeader = false

    package init() {}

    /// What a submitter should do next.
    package enum SubmitAction {
        /// Lead: take a batch (it contains the submitted job) and run it.
        case lead
        /// Wait for the current leader to run the job or to promote its caller.
        case wait
    }

    package mutating func submit(_ job: Job) -> SubmitAction {
        waiting.append(job)
        if hasLeader { return .wait }
        hasLeader = true
        return .lead
    }

    /// Removes and returns the oldest `maximumCount` jobs for the leader to run.
    package mutating func takeBatch(maximumCount: Int) -> [Job] {
        let count = min(maximumCount, waiting.count)
        let batch = Array(waiting.prefix(count))
        waiting.removeFirst(count)
        return batch
    }

    /// Called by the leader after its batch; returns the job whose caller must lead next, if any is waiting.
    package mutating func finishBatch() -> Job? {
        guard let next = waiting.first else {
            hasLeader = false
            return nil
        }
        return next
    }
}
