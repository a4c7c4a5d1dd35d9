// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Resonate {
    /// Registers a durable function under `name`; returns a typed reference for calling it.
    ///
    /// ```swift
    /// let deleteBatch = try resonate.register("deleteBatch") { (ctx: Context, recordID: String) async throws -> Bool in
    ///     try await database.deleteBatch(of: recordID)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: the name callers use, in any language.
    ///   - version: functions are looked up by name and version; bump it for an incompatible change.
    ///   - retry: how a failing call is retried (leaf functions only). Default: the instance's policy.
    ///   - body: the function: a ``Context`` and its arguments.
    /// - Throws: ``ResonateError/Code/alreadyRegistered`` for a duplicate name and version.
    @discardableResult
    public func register<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ name: String,
        version: Int = 1,
        retry: RetryPolicy? = nil,
        _ body: @escaping @Sendable (Context, repeat each Arg) async throws -> Output
    ) throws -> DurableFunction<repeat each Arg, Output> {
        let codec = runtime.codec
        try registry.add(
            RegisteredFunction(name: name, version: version, retryPolicy: retry) { context, arguments in
                let decoder = ArgumentDecoder(arguments, function: name)
                let decoded = (repeat try decoder.next((each Arg).self))
                // Arguments left over mean the caller meant another function (or another version of this one).
                try decoder.finish()
                let output = try await body(context, repeat each decoded)
                return try codec.encode(output)
            }
        )
        return DurableFunction(name: name, version: version, retryPolicy: retry, body: body)
    }

    /// Registers a durable function that returns nothing (its result is ``Nothing``).
    @discardableResult
    public func register<each Arg: Codable & Sendable>(
        _ name: String,
        version: Int = 1,
        retry: RetryPolicy? = nil,
        _ body: @escaping @Sendable (Context, repeat each Arg) async throws -> Void
    ) throws -> DurableFunction<repeat each Arg, Nothing> {
        try register(name, version: version, retry: retry) {
            (context: Context, arguments: repeat each Arg) -> Nothing in
            try await body(context, repeat each arguments)
            return Nothing()
        }
    }

    /// Makes an error type travel through promises: a durable function that throws it rejects its promise with the
    /// error's data, and callers in Swift get the same type back (other callers see its name and message).
    public func registerError<E: Error & Codable & Sendable>(_ type: E.Type) {
        runtime.errors.register(type)
    }

    /// Provides a value that durable functions read with ``Context/dependency(_:)``, keyed by its type.
    public func setDependency<T: Sendable>(_ value: T) {
        runtime.setDependency(value)
    }
}
