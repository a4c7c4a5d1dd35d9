// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Testing

@testable import Resonate

@Suite("Pass state: when a pass is quiescent, parks, resumes in place or unwinds")
struct PassStateTests {
    static func record(_ id: String, _ state: PromiseState) -> PromiseRecord {
        PromiseRecord(id: id, state: state, timeoutAt: 1_000, createdAt: 0, settledAt: state.isSettled ? 10 : nil)
    }

    /// A pass with `jobs` running jobs and remote promises `pending` created pending.
    static func running(jobs: Int, pending: [String] = []) -> PassState {
        var state = PassState(version: 1, preload: [])
        for _ in 0..<jobs { state.jobStarted() }
        for id in pending { state.addPendingRemote(id) }
        return state
    }

    static func waiter(_ decision: PassState.WaitDecision) -> (PassState.WaiterID, PassState.RunnerEvent?)? {
        if case .wait(let waiter, let event) = decision { return (waiter, event) }
        return nil
    }

    @Test(
        "quiescent exactly when every job waits and one of them on a remote promise",
        arguments: [
            // (jobs, jobs waiting on a remote promise, jobs waiting on a local call, quiescent)
            (1, 1, 0, true),
            (2, 1, 0, false),
            (2, 2, 0, true),
            (2, 1, 1, true),
            (3, 1, 1, false),
            (2, 0, 2, false),
        ]
    )
    func quiescence(jobs: Int, remote: Int, local: Int, quiescent: Bool) {
        var state = Self.running(jobs: jobs, pending: ["p"])
        var events: [PassState.RunnerEvent] = []
        for _ in 0..<local { state.localWaitBegan().map { events.append($0) } }
        for _ in 0..<remote { Self.waiter(state.wait(for: "p"))?.1.map { events.append($0) } }
        #expect(events == (quiescent ? [.quiescent(awaiting: ["p"])] : []))
        #expect(state.phase == (quiescent ? .quiescent : .running))
    }

    @Test("a job finishing while the others wait makes the pass quiescent; the last one finishes it")
    func finishingJobs() {
        var state = Self.running(jobs: 2, pending: ["sleep"])
        #expect(Self.waiter(state.wait(for: "sleep"))?.1 == nil)
        #expect(state.jobFinished() == .quiescent(awaiting: ["sleep"]))
        var done = Self.running(jobs: 1)
        #expect(done.jobFinished() == .finished)
    }

    @Test("a settled promise is returned at once, without waiting")
    func settledAtOnce() {
        var state = PassState(version: 1, preload: [Self.record("done", .resolved)])
        state.jobStarted()
        guard case .settled(let record) = state.wait(for: "done") else {
            Issue.record("expected the settled record")
            return
        }
        #expect(record.id == "done")
        #expect(state.phase == .running)
    }

    @Test("a parked pass resumes in place under the new version; waiters of settled promises only carry on")
    func resumeInPlace() throws {
        var state = Self.running(jobs: 2, pending: ["a", "b"])
        let first = try #require(Self.waiter(state.wait(for: "a")))
        let second = try #require(Self.waiter(state.wait(for: "b")))
        #expect(second.1 == .quiescent(awaiting: ["a", "b"]))
        state.park()
        #expect(state.phase == .parked)
        let outcome = state.resume(version: 3, with: [Self.record("a", .resolved), Self.record("b", .pending)])
        let resumed = try #require(outcome)
        #expect(resumed.resume.map(\.0) == [first.0])
        #expect(resumed.notify == nil)
        #expect(state.version == 3)
        #expect(state.phase == .running)
        #expect(state.pendingRemote == ["b"])
        // The job that carried on finishes; the other still waits on b: quiescent again, on b alone.
        #expect(state.jobFinished() == .quiescent(awaiting: ["b"]))
    }

    @Test("a resume that settles nothing asks the runner to suspend again")
    func resumeWithNothingSettled() throws {
        var state = Self.running(jobs: 1, pending: ["a"])
        _ = try #require(Self.waiter(state.wait(for: "a")))
        state.park()
        let outcome = state.resume(version: 3, with: [Self.record("a", .pending)])
        let resumed = try #require(outcome)
        #expect(resumed.resume.isEmpty)
        #expect(resumed.notify == .quiescent(awaiting: ["a"]))
    }

    @Test("an abandoned pass cannot be resumed; its waiters unwind with Suspension and further calls throw")
    func abandon() throws {
        var state = Self.running(jobs: 2, pending: ["a", "b"])
        let first = try #require(Self.waiter(state.wait(for: "a")))
        let second = try #require(Self.waiter(state.wait(for: "b")))
        state.park()
        #expect(state.abandon() == [first.0, second.0])
        let outcome = state.resume(version: 3, with: [Self.record("a", .resolved)])
        #expect(outcome == nil)
        #expect(state.isAbandoned)
        #expect(state.unwindError is Suspension)
        guard case .unwind(let error) = state.wait(for: "c") else {
            Issue.record("expected the pass to unwind")
            return
        }
        #expect(error is Suspension)
    }

    @Test("a failure unwinds every waiter with a platform failure, a divergence with itself")
    func failures() throws {
        var failing = Self.running(jobs: 2, pending: ["a"])
        let waiting = try #require(Self.waiter(failing.wait(for: "a")))
        #expect(failing.fail(ResonateError(.server, "down")) == [waiting.0])
        #expect(failing.unwindError is PlatformFailure)
        var diverging = Self.running(jobs: 2, pending: ["a"])
        let other = try #require(Self.waiter(diverging.wait(for: "a")))
        #expect(diverging.abort(ResonateError(.nonDeterminism, "diverged")) == [other.0])
        #expect((diverging.unwindError as? ResonateError)?.code == .nonDeterminism)
    }

    @Test("records delivered while quiescent (a 300 to suspend) resume their waiters")
    func deliveredWhileQuiescent() throws {
        var state = Self.running(jobs: 1, pending: ["a"])
        let waiting = try #require(Self.waiter(state.wait(for: "a")))
        #expect(waiting.1 == .quiescent(awaiting: ["a"]))
        let delivered = state.received([Self.record("a", .rejected)])
        #expect(delivered.resume.map(\.0) == [waiting.0])
        #expect(delivered.notify == nil)
        #expect(state.phase == .running)
        #expect(state.pendingRemote.isEmpty)
    }

    /// What else is going on in a pass whose only job is about to hold a sleep.
    enum SleepCondition: String, CaseIterable {
        case nothingElse, anotherJob, pendingRemote, waitingOnLocal, failed, historyOverLimit, quiescent
    }

    @Test(
        "a pass is released for a held sleep only when nothing else is in progress and its history is short",
        arguments: SleepCondition.allCases
    )
    func releaseForSleep(condition: SleepCondition) {
        var state = Self.running(
            jobs: condition == .anotherJob ? 2 : 1, pending: condition == .pendingRemote ? ["call"] : [])
        state.remember((0..<(condition == .historyOverLimit ? 5 : 4)).map { Self.record("step-\($0)", .resolved) })
        switch condition {
        case .waitingOnLocal: _ = state.localWaitBegan()
        case .failed: _ = state.fail(ResonateError(.server, "down"))
        case .quiescent:
            state.addPendingRemote("call")
            _ = state.wait(for: "call")
        case .nothingElse, .anotherJob, .pendingRemote, .historyOverLimit: break
        }
        let released = state.releaseForSleep("sleep", until: 5_000, historyLimit: 4)
        #expect(released == (condition == .nothingElse))
        if released {
            #expect(state.heldSleep == PassState.HeldSleep(id: "sleep", wakeAt: 5_000))
            // The job unwinds, and cannot make another durable call; a later abandonment changes nothing.
            #expect(state.isAbandoned && state.unwindError is Suspension)
            #expect(state.abandon().isEmpty && state.heldSleep != nil)
        } else {
            #expect(state.heldSleep == nil)
        }
    }

    @Test("a settled record is never replaced by an older pending one")
    func monotonicRecords() {
        var state = PassState(version: 1, preload: [Self.record("a", .resolved)])
        state.remember([Self.record("a", .pending)])
        #expect(state.records["a"]?.state == .resolved)
    }
}
