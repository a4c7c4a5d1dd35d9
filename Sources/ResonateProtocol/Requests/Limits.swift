// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Size and range limits on request fields.
///
/// The protocol sets none of these; they exist so that absurd input gets a clear 400 instead of a slow
/// request, a huge row, or a timer that can never fire. Each is far above anything an SDK produces.
public enum Limits {
    /// Longest promise, task or schedule id, in UTF-8 bytes.
    public static let idLength = 1024
    /// Longest process id (`pid`), in UTF-8 bytes.
    public static let processIDLength = 256
    /// Most tags on one promise (and most tags in a search filter).
    public static let tagCount = 128
    /// Longest tag key, in UTF-8 bytes.
    public static let tagKeyLength = 256
    /// Longest tag value, in UTF-8 bytes.
    public static let tagValueLength = 4096
    /// Most headers in one value, and the longest header key and value.
    public static let headerCount = 128
    public static let headerLength = 4096
    /// The latest accepted absolute time: 9999-12-31T23:59:59.999Z, in milliseconds.
    public static let latestTime: Int64 = 253_402_300_799_999
    /// The longest lease: one week, in milliseconds.
    public static let maximumTTL: Int64 = 7 * 24 * 3_600_000
    /// The longest relative promise timeout of a schedule: 100 years, in milliseconds.
    public static let maximumScheduleTimeout: Int64 = 100 * 366 * 24 * 3_600_000
    /// Most entries in `task.suspend` actions and `task.heartbeat` tasks.
    public static let listLength = 10_000
    /// Largest search page.
    public static let searchLimit = 1000
    /// Longest cron expression, in UTF-8 bytes.
    public static let cronLength = 256
    /// Longest corrId echoed back, in UTF-8 bytes.
    public static let correlationIDLength = 1024
}
