// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// How the bench prints numbers.
enum BenchFormat {
    /// A rate: whole numbers from 100 up, one decimal below.
    static func rate(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    /// A latency in milliseconds with two decimals.
    static func milliseconds(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    /// A CPU time in whole microseconds, or `–` where it could not be read.
    static func microseconds(_ value: Double?) -> String {
        value.map { String(Int($0.rounded())) } ?? "–"
    }

    /// A ratio such as `12.3×`.
    static func ratio(_ value: Double) -> String {
        String(format: "%.2f×", value)
    }
}
