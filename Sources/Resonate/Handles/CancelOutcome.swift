// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// What a cancellation did.
public enum CancelOutcome: Sendable, Hashable {
    /// The execution was pending; it is canceled now, and so is everything it started.
    case canceled
    /// The execution had already finished, in the given state (possibly canceled before): nothing changed.
    case alreadySettled(PromiseState)
}
