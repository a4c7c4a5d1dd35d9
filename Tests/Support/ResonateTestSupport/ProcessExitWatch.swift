// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Foundation
import ResonateTesting
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Whether a child `Process` has exited, and with what status, even when Foundation misses the exit.
///
/// Foundation's `Process` can miss a child's exit when a test process starts and ends many children at once: its
/// `isRunning` then stays `true` for ever, and `waitUntilExit()` spins without end (seen in CI: a worker gone from
/// the process table, its test spinning in `waitUntilExit`). This watch also reaps the child itself, without
/// blocking, and every wait it offers has a bound.
public final class ProcessExitWatch: @unchecked Sendable {
    // `@unchecked Sendable`: `Process` is not marked Sendable; it is only queried here, which Foundation supports
    // from any thread.
    private let process: Process
    private let reaped = Mutex<Int32?>(nil)

    public init(_ process: Process) {
        self.process = process
    }

    /// The exit status once the process has exited (the signal number if a signal ended it); `nil` while it runs.
    public var status: Int32? {
        if let status = reaped.withLock({ $0 }) { return status }
        if !process.isRunning { return process.terminationStatus }
        let pid = process.processIdentifier
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            let signal = raw & 0x7F
            let status = signal == 0 ? (raw >> 8) & 0xFF : signal
            reaped.withLock { $0 = status }
            return status
        }
        // Reaped by Foundation a moment ago: its `isRunning` follows. If it does not within a second of the child
        // leaving the process table, the exit was missed and its status is lost.
        guard result == -1, errno == ECHILD, kill(pid, 0) == -1, errno == ESRCH else { return nil }
        let now = ContinuousClock.now
        let goneFor = goneSince.withLock { since in
            if since == nil { since = now }
            return now - since!
        }
        guard goneFor > .seconds(1) else { return nil }
        reaped.withLock { $0 = Self.unknownStatus }
        return Self.unknownStatus
    }

    /// The status reported for a child that exited while nobody could read its status.
    public static let unknownStatus: Int32 = -1

    private let goneSince = Mutex<ContinuousClock.Instant?>(nil)

    public var isRunning: Bool { status == nil }

    /// Waits for the exit, polling without blocking a thread; the status, or `nil` after `timeout`.
    public func wait(timeout: Duration) async throws -> Int32? {
        do {
            return try await eventuallyValue("the process to exit", within: timeout) { status }
        } catch is EventuallyTimeout {
            return nil
        }
    }

    /// Reaps the process on a thread of its own and returns at once; kills it with SIGKILL if it still runs after
    /// `timeout`.
    ///
    /// For `deinit` and `defer`, which cannot await: a blocking wait there holds one of the threads of Swift's
    /// cooperative pool, which has only as many threads as cores. Two such waits on a two-core CI machine stalled
    /// every other test of the run, servers included, for as long as a graceful shutdown took.
    public func reapInBackground(killingAfter timeout: Duration) {
        guard isRunning else { return }
        let thread = Thread { [self] in
            guard !waitBlocking(timeout: timeout) else { return }
            kill(process.processIdentifier, SIGKILL)
            waitBlocking(timeout: .seconds(10))
        }
        thread.name = "reap \(process.processIdentifier)"
        thread.start()
    }

    /// Waits for the exit, blocking the calling thread; `false` after `timeout`. Never call it from a task: see
    /// ``reapInBackground(killingAfter:)``.
    @discardableResult
    public func waitBlocking(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now > deadline { return false }
            usleep(10_000)
        }
        return true
    }
}
