// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The reserved tag keys the protocol gives meaning to.
public enum Tag {
    /// Delivery address of the promise's task; its presence makes the promise a task promise.
    public static let target = "resonate:target"
    /// `"true"` makes the promise resolve (instead of time out) at its deadline: a durable timer.
    public static let timer = "resonate:timer"
    /// Absolute time (ms) before which the first `execute` is not sent.
    public static let delay = "resonate:delay"
    /// The root promise of the call graph the promise belongs to.
    public static let origin = "resonate:origin"
    /// The promise whose task replays this one; drives preload.
    public static let branch = "resonate:branch"
    /// The promise that created this one.
    public static let parent = "resonate:parent"
    /// Set on promises created by schedules.
    public static let prefix = "resonate:prefix"
    /// The id of the schedule that created the promise.
    public static let schedule = "resonate:schedule"
    /// SDK bookkeeping: `global` for remote calls, `local` for in-process steps.
    public static let scope = "resonate:scope"
    /// This implementation's, not the protocol's: set on the cleanup promise the server creates when a task
    /// promise is canceled, naming the canceled promise (see ``Request/cleanupHeadField``).
    public static let cleanupOf = "resonate-swift:cleanup-of"
}
