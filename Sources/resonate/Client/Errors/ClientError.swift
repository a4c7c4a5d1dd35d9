// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Why a client command failed, with the exit status it ends the process with.
///
/// The ``message`` is one line for standard error; ``status`` and ``operation`` say which server answer it came from.
struct ClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; each maps to one documented exit status.
    enum Code: Sendable, Hashable {
        /// The server answered with a 4xx status: the request itself was refused (not found, conflict, invalid…).
        case refused
        /// The operation succeeded but its outcome is a failure the caller waited for: `invoke --wait` on a promise
        /// that was rejected, canceled or timed out.
        case failedOutcome
        /// The command line is wrong: a flag value that is not JSON, a duration, a cron expression….
        case usage
        /// The server could not be reached, answered with a 5xx status, or sent something that is not a response.
        case unavailable

        /// The process exit status: 1 for a refusal or failed outcome, 2 for usage errors, 3 for an unavailable
        /// server. Usage errors found by the argument parser exit with 2 as well (see `ResonateCommand.main`).
        var exitStatus: Int32 {
            switch self {
            case .refused, .failedOutcome: 1
            case .usage: 2
            case .unavailable: 3
            }
        }
    }

    var code: Code
    var message: String
    /// The server's status for ``Code/refused`` and ``Code/unavailable`` answers.
    var status: Int?
    /// The protocol operation (`promise.get`, …) the error came from, if any.
    var operation: String?

    init(_ code: Code, _ message: String, status: Int? = nil, operation: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.operation = operation
    }

    static func usage(_ message: String) -> ClientError { ClientError(.usage, message) }

    var description: String { message }
}
