// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Unwinds a durable function that awaits something not done yet (a remote call, a sleep, a latent promise).
///
/// The execution suspends on the server and resumes — replaying from its checkpoints — when what it waits for is
/// done. Catching this error does not prevent the suspension: the SDK tracks pending work itself, and once an
/// execution is suspending every further durable call throws this error again.
struct Suspension: Error, CustomStringConvertible {
    var description: String {
        "the execution is suspending until the promises it awaits settle (this error must not be handled)"
    }
}

/// A failure of the platform rather than of the function: the server is unreachable, or the lease was lost.
/// The attempt stops and the task is released (or left to its new owner) for another attempt.
struct PlatformFailure: Error, CustomStringConvertible {
    let underlying: any Error
    var description: String { "platform failure: \(underlying)" }
}
