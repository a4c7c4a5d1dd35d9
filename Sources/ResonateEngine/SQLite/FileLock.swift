// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a file, held for the life of the value.
///
/// Two servers writing one SQLite file would not corrupt it, but their group-commit queues and timers would
/// fight; refusing to start is the clear failure. The lock is a separate file because closing any descriptor of
/// the database itself would drop SQLite's own POSIX locks.
final class FileLock: Sendable {
    private let descriptor: Int32

    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SQLiteError(
                code: errno, message: "cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw SQLiteError(
                code: 5,
                message: "the database is in use by another process (lock file \(path) is held)"
            )
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
