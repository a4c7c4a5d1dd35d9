// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol

/// Times and durations for people: ISO-8601 timestamps in the local time zone, short humanized durations.
enum TimeText {
    /// Milliseconds since the epoch as `2026-05-01T12:00:00+02:00` (the local zone; `Z` in UTC).
    static func timestamp(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return date.formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: .current))
    }

    /// The current time in milliseconds since the epoch.
    static var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// A duration in milliseconds as `250ms`, `4.2s`, `3m05s`, `2h10m` or `3d4h`.
    static func duration(milliseconds: Int64) -> String {
        let value = max(milliseconds, 0)
        switch value {
        case ..<1000:
            return "\(value)ms"
        case ..<10_000:
            return decimal(value, fractionDigits: 2) + "s"
        case ..<60_000:
            return decimal(value, fractionDigits: 1) + "s"
        case ..<3_600_000:
            let seconds = value / 1000
            return "\(seconds / 60)m\(twoDigits(seconds % 60))s"
        case ..<86_400_000:
            let minutes = value / 60_000
            return "\(minutes / 60)h\(twoDigits(minutes % 60))m"
        default:
            let hours = value / 3_600_000
            return "\(hours / 24)d\(hours % 24)h"
        }
    }

    /// A duration (`Duration`) humanized as ``duration(milliseconds:)``.
    static func duration(_ duration: Duration) -> String {
        self.duration(milliseconds: duration.wholeMilliseconds)
    }

    /// Milliseconds as seconds with `fractionDigits` (1 or 2) digits after the point, truncated.
    private static func decimal(_ milliseconds: Int64, fractionDigits: Int) -> String {
        let divisor: Int64 = fractionDigits == 1 ? 100 : 10
        let fraction = (milliseconds % 1000) / divisor
        let digits = String(fraction)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: fractionDigits - digits.count) + digits
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// `at` relative to now: `in 59m58s` or `3.1s ago`.
    static func relative(_ milliseconds: Int64, now: Int64 = TimeText.now) -> String {
        milliseconds >= now
            ? "in \(duration(milliseconds: milliseconds - now))" : "\(duration(milliseconds: now - milliseconds)) ago"
    }
}
