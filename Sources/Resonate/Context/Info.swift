// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Facts about the running execution of a durable function.
public struct Info: Sendable, Hashable {
    /// The durable promise of this execution.
    public var id: String
    /// The promise of the function that called this one (its own id for a top-level call).
    public var parentID: String
    /// The root of the call graph.
    public var originID: String
    /// The promise whose task replays this execution's local calls.
    public var branchID: String
    /// The registered function name.
    public var functionName: String
    /// The execution's deadline.
    public var deadline: Date
    /// 1 for the first attempt; counts retries of a failing leaf function.
    public var attempt: Int
}
