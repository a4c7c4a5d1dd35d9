// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// A message written to the outbox in the same transaction as the state change that caused it.
///
/// Messages are delivered after the commit and then deleted. An entry is identified by its table key (one queued
/// `execute` per task; one `unblock` per promise and address) plus a sequence number that changes whenever the
/// row is rewritten, so deleting a delivered entry never deletes a newer message queued under the same key.
public struct OutboxEntry: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case execute(taskID: String, version: Int64)
        case unblock(promiseID: String)
    }

    public var sequence: Int64
    public var content: Content
    public var address: String

    public init(sequence: Int64, content: Content, address: String) {
        self.sequence = sequence
        self.content = content
        self.address = address
    }
}
