// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Console output of the example programs.
public enum Output {
    /// Prints a line at once, also when output goes to a pipe or file (tests read it while the program runs).
    public static func line(_ text: String) {
        // One write(2) per line, so lines of concurrent callers do not interleave.
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // stdout is gone (a closed pipe): nothing left to tell
            }
            offset += written
        }
    }
}

/// An append-only file of facts the example programs record for tests, one line each.
public enum Ledger {
    /// Appends `line` and flushes it to disk before returning, so that it survives a `kill -9` right after.
    public static func append(_ line: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw LedgerError(path: path, errno: errno) }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else { throw LedgerError(path: path, errno: errno) }
    }
}

/// A ledger file could not be written.
public struct LedgerError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public var description: String { "cannot append to \(path): \(String(cString: strerror(errno)))" }
}
