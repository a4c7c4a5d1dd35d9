// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// How often, and after what delays, a failing function is tried again.
///
/// Only *leaf* functions are retried — those that made no durable call before failing. A function that made
/// durable calls replays from its checkpoints instead, so retrying it would repeat nothing useful. Retries stop
/// at the function's promise deadline and for errors marked ``NonRetryableError``.
///
/// ```swift
/// let charge = try resonate.register("charge", retry: .exponential(delay: .seconds(1), maxRetries: 5)) { … }
/// ```
public struct RetryPolicy: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case never
        case constant(delay: Duration, maxRetries: Int)
        case linear(delay: Duration, maxRetries: Int)
        case exponential(delay: Duration, factor: Double, maxDelay: Duration, maxRetries: Int)
    }

    private let kind: Kind

    /// Never retry.
    public static let never = RetryPolicy(kind: .never)

    /// The same delay before every retry.
    public static func constant(delay: Duration = .seconds(1), maxRetries: Int = .max) -> RetryPolicy {
        RetryPolicy(kind: .constant(delay: delay, maxRetries: maxRetries))
    }

    /// A delay growing by `delay` each retry: `delay`, `2·delay`, `3·delay`, …
    public static func linear(delay: Duration = .seconds(1), maxRetries: Int = .max) -> RetryPolicy {
        RetryPolicy(kind: .linear(delay: delay, maxRetries: maxRetries))
    }

    /// A delay multiplied by `factor` each retry, capped at `maxDelay`: 1 s, 2 s, 4 s, … 30 s, 30 s by default.
    public static func exponential(
        delay: Duration = .seconds(1),
        factor: Double = 2,
        maxDelay: Duration = .seconds(30),
        maxRetries: Int = .max
    ) -> RetryPolicy {
        RetryPolicy(kind: .exponential(delay: delay, factor: factor, maxDelay: maxDelay, maxRetries: maxRetries))
    }

    /// The default for leaf functions: exponential from 1 s, doubling, capped at 30 s, until the deadline.
    public static let `default` = exponential()

    /// The delay before retry number `retry` (1 for the first retry), or `nil` when no retry is left.
    public func delay(beforeRetry retry: Int) -> Duration? {
        switch kind {
        case .never:
            return nil
        case .constant(let delay, let maxRetries):
            return retry <= maxRetries ? delay : nil
        case .linear(let delay, let maxRetries):
            return retry <= maxRetries ? delay * retry : nil
        case .exponential(let delay, let factor, let maxDelay, let maxRetries):
            guard retry <= maxRetries else { return nil }
            let seconds = delay.inSeconds * pow(factor, Double(retry - 1))
            return .milliseconds(Int64((min(seconds, maxDelay.inSeconds) * 1000).rounded()))
        }
    }

    public var description: String {
        switch kind {
        case .never: "never"
        case .constant(let delay, let maxRetries): "constant(\(delay), maxRetries: \(maxRetries))"
        case .linear(let delay, let maxRetries): "linear(\(delay), maxRetries: \(maxRetries))"
        case .exponential(let delay, let factor, let maxDelay, let maxRetries):
            "exponential(\(delay), factor: \(factor), maxDelay: \(maxDelay), maxRetries: \(maxRetries))"
        }
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
