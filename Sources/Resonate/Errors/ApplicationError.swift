// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// An error thrown by a durable function, as it came back from the promise that recorded it.
///
/// When the function's error type is registered with ``Resonate/registerError(_:)`` the original type is thrown
/// instead; errors from other SDKs (a Python exception, a TypeScript `Error`) always arrive as this type.
public struct ApplicationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error's type name in the language that threw it, when known (`"ValueError"`, `"MyApp.PaymentFailed"`).
    public var name: String?
    public var message: String

    public init(name: String? = nil, message: String) {
        self.name = name
        self.message = message
    }

    public var description: String {
        if let name { return "\(name): \(message)" }
        return message
    }
}

/// Marks an error that retrying cannot fix: a durable function that throws it fails at once, whatever its
/// retry policy.
///
/// ```swift
/// struct InvalidOrder: Error, NonRetryableError {}
/// ```
public protocol NonRetryableError: Error {}
