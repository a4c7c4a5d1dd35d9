// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// How log lines are written.
enum LogFormat: String {
    /// `2026-11-21T10:00:00+0000 info resonate: message key=value`, for people.
    case text
    /// One JSON object per line, for log pipelines.
    case json
}
