// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Percentiles of a set of latencies, in milliseconds.
struct LatencySummary: Codable, Sendable {
    var count: Int
    var p50: Double
    var p99: Double
    var max: Double

    /// Summarizes `milliseconds` (nearest-rank percentiles; all zero when empty).
    init(milliseconds: [Double]) {
        let sorted = milliseconds.sorted()
        count = sorted.count
        func rank(_ fraction: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        }
        p50 = rank(0.5)
        p99 = rank(0.99)
        max = sorted.last ?? 0
    }

    /// `p50 … ms, p99 … ms` with two decimals.
    var text: String {
        "p50 \(BenchFormat.milliseconds(p50)) ms, p99 \(BenchFormat.milliseconds(p99)) ms (n=\(count))"
    }
}
