// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Parses durations written like `30s` or `1h30m` in configuration.
enum DurationParsing {
    static func parse(_ text: String) -> Duration? {
        DurationText.parse(text)
    }
}
