// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Options for one call: where it runs, how long it may take, how it retries.
///
/// ```swift
/// try await ctx.rpc("charge", order, returning: Receipt.self, options: .target("payments").timeout(.minutes(5)))
/// ```
public struct CallOptions: Sendable, Hashable {
    /// The group (or full address) that executes a remote call. A bare name means `poll://any@<name>`; anything
    /// containing `://` is used as is. Default: this process's own group.
    public var target: String?
    /// How long the call may take; the promise deadline is `now + timeout`, capped at the caller's deadline.
    /// Default: 24 hours.
    public var timeout: Duration?
    /// Overrides the function's retry policy for this call (local calls only).
    public var retryPolicy: RetryPolicy?
    /// The function version to invoke. Default 1.
    public var version: Int?
    /// Extra tags on the created promise (top-level calls only; `resonate:` keys are reserved).
    public var tags: [String: String]

    public init(
        target: String? = nil,
        timeout: Duration? = nil,
        retryPolicy: RetryPolicy? = nil,
        version: Int? = nil,
        tags: [String: String] = [:]
    ) {
        self.target = target
        self.timeout = timeout
        self.retryPolicy = retryPolicy
        self.version = version
        self.tags = tags
    }

    public static func target(_ target: String) -> CallOptions { CallOptions(target: target) }
    public static func timeout(_ timeout: Duration) -> CallOptions { CallOptions(timeout: timeout) }
    public static func retry(_ policy: RetryPolicy) -> CallOptions { CallOptions(retryPolicy: policy) }

    public func target(_ target: String) -> CallOptions {
        var copy = self
        copy.target = target
        return copy
    }

    public func timeout(_ timeout: Duration) -> CallOptions {
        var copy = self
        copy.timeout = timeout
        return copy
    }

    public func retry(_ policy: RetryPolicy) -> CallOptions {
        var copy = self
        copy.retryPolicy = policy
        return copy
    }

    public func version(_ version: Int) -> CallOptions {
        var copy = self
        copy.version = version
        return copy
    }

    public func tags(_ tags: [String: String]) -> CallOptions {
        var copy = self
        copy.tags = tags
        return copy
    }

    static let defaultTimeout: Duration = .seconds(86_400)
}
