// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a client command writes: results to standard output, progress and errors to standard error.
///
/// Writes go straight to the file descriptors, unbuffered, so a reader of a pipe (a script, `tree --watch`) sees
/// each line when it is printed, not when the process exits.
struct Console: Sendable {
    enum Format: Sendable {
        /// Aligned text for people.
        case text
        /// One JSON document per line, for scripts.
        case json
    }

    var format: Format

    var isJSON: Bool { format == .json }

    /// Whether standard output is a terminal (redraws in place make sense there).
    var outputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Whether standard error is a terminal (a spinner makes sense there).
    var errorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes `text` and a newline to standard output.
    func print(_ text: String) {
        write(text + "\n", to: FileHandle.standardOutput)
    }

    /// Writes `text` to standard output as is.
    func printRaw(_ text: String) {
        write(text, to: FileHandle.standardOutput)
    }

    /// Writes `text` and a newline to standard error.
    func note(_ text: String) {
        write(text + "\n", to: FileHandle.standardError)
    }

    /// Writes `text` to standard error as is (spinner frames).
    func noteRaw(_ text: String) {
        write(text, to: FileHandle.standardError)
    }

    private func write(_ text: String, to handle: FileHandle) {
        // A closed pipe (`| head`) must not crash the process; the output is simply lost.
        try? handle.write(contentsOf: Data(text.utf8))
    }
}
