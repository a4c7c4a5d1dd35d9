// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A typed reference to a registered durable function, returned by `Resonate.register(_:version:retry:_:)`.
///
/// Pass it to ``Resonate/run(_:_:_:options:)``, ``Context/run(_:_:options:)`` and friends: the compiler then
/// checks the arguments and the result type.
///
/// ```swift
/// let greet = try resonate.register("greet") { (ctx: Context, name: String) async throws -> String in
///     "Hello, \(name)!"
/// }
/// let text: String = try await resonate.run("greet-1", greet, "Ada")
/// ```
public struct DurableFunction<each Arg: Codable & Sendable, Output: Codable & Sendable>: Sendable {
    /// The name the function is registered and invoked under, across processes and languages.
    public let name: String
    /// The registered version.
    public let version: Int
    /// The function's retry policy, if it has its own.
    public let retryPolicy: RetryPolicy?
    let body: @Sendable (Context, repeat each Arg) async throws -> Output

    init(
        name: String,
        version: Int,
        retryPolicy: RetryPolicy?,
        body: @escaping @Sendable (Context, repeat each Arg) async throws -> Output
    ) {
        self.name = name
        self.version = version
        self.retryPolicy = retryPolicy
        self.body = body
    }
}
