// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Unwinds a durable function that waits for something not done yet (a remote call, a sleep, a latent promise)
/// when this process gives its execution up: evicted from memory (``Resonate/Configuration/maxParkedExecutions``)
/// or stopping.
///
/// The task is already suspended on the server; it resumes — replaying from its checkpoints — when what it waits
/// for is done. Catching this error does not change that: once an execution is given up every further durable
/// call throws this error again.
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
