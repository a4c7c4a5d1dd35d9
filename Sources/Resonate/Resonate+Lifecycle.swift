// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

extension Resonate {
    /// Executes this group's work until ``stop()`` or graceful shutdown: receives messages, renews leases, runs
    /// executions (at most `maxConcurrentTasks` at once).
    ///
    /// Stopping stops taking new work and returns once the executions in flight have finished or suspended.
    public func run() async throws {
        try await start()
        await runLoops()
    }

    /// Recovers local state, then accepts work. Nothing is accepted before recovery is complete, so recovery
    /// never touches work started by this run.
    func start() async throws {
        switch lifecycle.withLock({ $0.start() }) {
        case .recover:
            break
        case .refuse:
            throw ResonateError(.notRunning, "a Resonate instance runs once; create a new one to run again")
        }
        if let engine {
            // Local mode owns its database exclusively, so leases held there belong to a previous run of this
            // process that is gone: hand that work out again now instead of after the leases expire.
            do {
                try await engine.releaseAllLeases()
            } catch {
                perform(lifecycle.withLock { $0.recoveryFailed() }, failingWith: error)
                throw error
            }
        }
        perform(lifecycle.withLock { $0.recovered() })
    }

    /// Resumes the waiters of ``waitUntilRunning()`` as `action` says.
    private func perform(
        _ action: Lifecycle.WaiterAction,
        failingWith error: any Error = ResonateError(.notRunning, "this Resonate instance has stopped")
    ) {
        switch action {
        case .none:
            break
        case .resumeRunning(let waiters):
            for waiter in waiters { waiter.resume() }
        case .fail(let waiters):
            for waiter in waiters { waiter.resume(throwing: error) }
        }
    }

    /// Waits until this instance accepts work. ``beginRun(_:_:_:options:)`` and friends wait for start-up once
    /// ``run()`` has been called, and throw before.
    ///
    /// For services that run next to this one in a `ServiceGroup` and start executions:
    ///
    /// ```swift
    /// try await resonate.waitUntilRunning()
    /// for await message in consumer.messages { … try await resonate.beginRun(…) … }
    /// ```
    ///
    /// - Throws: ``ResonateError/Code/notRunning`` when the instance stops, or failed to start, before running.
    public func waitUntilRunning() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            perform(lifecycle.withLock { $0.waitUntilRunning(continuation) })
        }
    }

    func runLoops() async {
        let runner = TaskRunner(
            runtime: runtime, registry: registry, parked: parked, counters: resumeCounters,
            scheduleWake: { sleeping in (try? self.submit(.wake(sleeping))) != nil })
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { background in
                if let engine {
                    background.addTask {
                        do {
                            try await engine.run()
                        } catch {
                            self.runtime.logger.error(
                                "the in-process engine stopped; no timers fire and no messages go out",
                                metadata: ["error": "\(error)"])
                        }
                    }
                }
                background.addTask {
                    await self.source.run(
                        onConnect: { await self.refreshListeners() },
                        onMessage: { message in self.handle(message) }
                    )
                }
                background.addTask { await self.renewLeases() }
                background.addTask { await self.refreshListenersPeriodically() }
                // Discarding: a finished execution's child task is freed at once, not kept until shutdown.
                await withDiscardingTaskGroup { executions in
                    for await item in self.work {
                        executions.addTask {
                            switch item {
                            case .execute(let taskID, let version):
                                await runner.acquireAndRun(taskID: taskID, version: version)
                            case .run(let task, let promise, let preload):
                                await runner.runAcquired(task: task, promise: promise, preload: preload)
                            case .wake(let sleeping):
                                await runner.wake(sleeping)
                            }
                        }
                    }
                    // Stopping: executions kept in memory unwind (their tasks are suspended on the server and
                    // resume by replay wherever they run next), so that the group can finish.
                    for pass in self.parked.close() { pass.abandon() }
                }
                background.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginStopping()
        }
        for waiter in lifecycle.withLock({ $0.loopsEnded() }) { waiter.resume() }
    }

    /// Stops taking new work and waits until the executions in flight have finished or suspended and ``run()``
    /// has returned.
    public func stop() async {
        beginStopping()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !lifecycle.withLock({ $0.waitUntilStopped(continuation) }) { continuation.resume() }
        }
    }

    /// Runs this instance while `body` runs, then stops it.
    ///
    /// ```swift
    /// let answer = try await resonate.withRunning { resonate in
    ///     try await resonate.run("answer", compute, 42)
    /// }
    /// ```
    public func withRunning<T: Sendable>(_ body: @Sendable (Resonate) async throws -> T) async throws -> T {
        try await start()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await self.runLoops()
                return nil
            }
            do {
                let result = try await body(self)
                await stop()
                try await group.waitForAll()
                return result
            } catch {
                await stop()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Runs this instance until the process receives SIGINT or SIGTERM, then stops gracefully.
    public func serve() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [ServiceGroupConfiguration.ServiceConfiguration(service: self)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: runtime.logger
            )
        )
        try await group.run()
    }

    func beginStopping() {
        let action = lifecycle.withLock { $0.beginStopping() }
        perform(
            .fail(action.failedStartWaiters),
            failingWith: ResonateError(.notRunning, "this Resonate instance stopped before it ran"))
        if action.finishesWork { workContinuation.finish() }
    }

    /// Returns once new work may start: at once while running, after start-up while starting (a caller racing
    /// ``run()`` in a `ServiceGroup` just waits); throws before ``run()`` and once stopping.
    func ensureRunning() async throws {
        switch lifecycle.withLock({ $0.admission }) {
        case .accept:
            return
        case .afterStartUp:
            try await waitUntilRunning()
        case .refuse:
            throw ResonateError(
                .notRunning,
                "this Resonate instance is not running; call run() (as a Service), serve() or withRunning(_:) first"
            )
        }
    }

    func submit(_ item: WorkItem) throws {
        if case .terminated = workContinuation.yield(item) {
            throw ResonateError(.notRunning, "this Resonate instance is stopping")
        }
    }
}
