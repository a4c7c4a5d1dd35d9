// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex and its condition variable, for code that runs on threads of its own and blocks (never on a task).
///
/// Foundation's `NSCondition` does the same, but linking Foundation (rather than FoundationEssentials) loads
/// Foundation, its internationalization library and ICU into every process: about 6 MB of resident memory in
/// the Kafka worker, for two classes.
///
/// `@unchecked Sendable`: the pthread objects synchronize themselves.
package final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    package init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        // Timed waits measure the monotonic clock, so a change of the wall clock does not stretch them.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        precondition(pthread_cond_init(condition, &attributes) == 0, "pthread_cond_init failed")
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    package func lock() {
        pthread_mutex_lock(mutex)
    }

    package func unlock() {
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body` holding the lock.
    package func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Releases the lock until signalled (or woken spuriously), then takes it again. Call it holding the lock.
    package func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Like ``wait()``, but returns after `timeout` at the latest.
    package func wait(for timeout: Duration) {
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = Int(attoseconds / 1_000_000_000)
        #if os(Linux)
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        deadline.tv_sec += Int(seconds) + (deadline.tv_nsec + nanoseconds) / 1_000_000_000
        deadline.tv_nsec = (deadline.tv_nsec + nanoseconds) % 1_000_000_000
        pthread_cond_timedwait(condition, mutex, &deadline)
        #else
        var relative = timespec(tv_sec: Int(seconds), tv_nsec: nanoseconds)
        pthread_cond_timedwait_relative_np(condition, mutex, &relative)
        #endif
    }

    /// Wakes one waiting thread.
    package func signal() {
        pthread_cond_signal(condition)
    }

    /// Wakes every waiting thread.
    package func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
