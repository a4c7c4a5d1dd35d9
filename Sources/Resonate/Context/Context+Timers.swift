// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension Context {
    /// Sleeps durably: the deadline is recorded, the execution suspends holding no lease, and it resumes — on any
    /// process of the group, even after restarts — once the deadline has passed. A sleep never extends past the
    /// execution's own deadline. While this process keeps the execution in memory it continues right here when
    /// the sleep ends; otherwise the function replays from its checkpoints up to this call. Sleeps no longer than
    /// ``Resonate/Configuration/heldSleepLimit`` wait in the process instead, keeping the lease (off by default).
    ///
    /// ```swift
    /// try await ctx.sleep(for: .seconds(5))
    /// ```
    public func sleep(for duration: Duration) async throws {
        try await sleep(untilMilliseconds: runtime.clock.now.milliseconds + duration.wholeMilliseconds)
    }

    /// Sleeps durably until `date` (see ``sleep(for:)``).
    public func sleep(until date: Date) async throws {
        try await sleep(untilMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    private func sleep(untilMilliseconds wakeAt: Int64) async throws {
        let id = nextChildID()
        try pass.checkActive()
        var tags = lineageTags(branch: id)
        tags[Tag.scope] = "global"
        tags[Tag.timer] = "true"
        // Only promises with a target get a background timeout in the reference server; targeting our own group
        // keeps sleeps working there too.
        tags[Tag.target] = runtime.address(forTarget: nil)
        let record = try await pass.create(
            PromiseCreate(id: id, timeoutAt: min(max(wakeAt, 0), timeoutAt), param: .empty, tags: tags)
        )
        try checkReplay(record, expected: .sleep)
        if let canceled = try await pass.cancellation(of: record) { throw canceled }
        guard !record.state.isSettled else { return try Self.sleepEnded(record) }
        // Over already (its creation took longer than the sleep): the server resolves it without anyone waiting.
        if record.timeoutAt <= runtime.clock.now.milliseconds, !pass.observesCancellation { return }
        // While the id is here this process does not take the sleep's own task (see `TaskRunner.acquireAndRun`).
        runtime.tasks.sleeping.withLock { _ = $0.insert(id) }
        var releasedForSleep = false
        defer { if !releasedForSleep { runtime.tasks.sleeping.withLock { _ = $0.remove(id) } } }
        if record.timeoutAt - runtime.clock.now.milliseconds <= runtime.tasks.heldSleepLimit,
            !pass.observesCancellation
        {
            // Held: the deadline is recorded, so waiting here is as durable as suspending, and cheaper. The
            // promise resolves at its deadline on the server without anyone waiting for it. A short execution is
            // held as data: it unwinds, and the task runner replays it from memory when the sleep ends (and takes
            // the id out of `sleeping` then).
            if pass.releaseForSleep(id, until: record.timeoutAt) {
                releasedForSleep = true
                throw Suspension()
            }
            if runtime.tasks.slots.hasSpareCapacity {
                try await runtime.clock.sleep(untilMilliseconds: record.timeoutAt)
                return
            }
        }
        pass.addPendingRemote(id)
        let ended = try await pass.wait(for: id)
        if let canceled = try await pass.cancellation(of: ended) { throw canceled }
        try Self.sleepEnded(ended)
    }

    /// A sleep ends when its deadline passes; one that was canceled instead throws.
    private static func sleepEnded(_ record: PromiseRecord) throws {
        guard record.state == .rejectedCanceled else { return }
        throw ResonateError(.canceled, "the sleep \(record.id) was canceled")
    }

    /// Creates a promise that something outside this execution settles — a person approving a step, a webhook —
    /// and returns its future right away; ``DurableFuture/id`` is the id to settle.
    ///
    /// ```swift
    /// let approval = try await ctx.promise(Bool.self, timeout: .days(2))
    /// try await ctx.run(sendApprovalEmail, approval.id)
    /// guard try await approval.value else { return "rejected" }
    /// ```
    ///
    /// Settle it with `resonate.promises.resolve(id, value)`, `resonate promises resolve`, or any SDK.
    public func promise<T: Codable & Sendable>(
        _ type: T.Type = T.self,
        timeout: Duration? = nil,
        tags userTags: [String: String] = [:]
    ) async throws -> DurableFuture<T> {
        let id = nextChildID()
        try pass.checkActive()
        var tags = userTags.filter { !$0.key.hasPrefix("resonate:") }
        for (key, value) in lineageTags(branch: id) { tags[key] = value }
        tags[Tag.scope] = "global"
        tags["resonate:external"] = "true"
        let record = try await pass.create(
            PromiseCreate(id: id, timeoutAt: childDeadline(timeout), param: .empty, tags: tags)
        )
        try checkReplay(record, expected: .promise)
        if let canceled = try await pass.cancellation(of: record) { return .settled(id, .failure(canceled)) }
        if record.state.isSettled {
            return .settled(id, Result { try runtime.outcome(of: record, as: T.self) })
        }
        pass.addPendingRemote(id)
        return .remote(id, pass: pass)
    }
}

extension Duration {
    /// `days` 24-hour days.
    public static func days(_ days: Int64) -> Duration { .seconds(days * 86_400) }
    /// `hours` hours.
    public static func hours(_ hours: Int64) -> Duration { .seconds(hours * 3_600) }
    /// `minutes` minutes.
    public static func minutes(_ minutes: Int64) -> Duration { .seconds(minutes * 60) }
}
