// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A request the server answers with an error status instead of executing it.
public struct RequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status, equal to the response's `head.status`.
    public var status: Int
    /// The human-readable message sent as the response's `data` string.
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> RequestError { RequestError(status: 400, message: message) }
    public static func notFound(_ message: String) -> RequestError { RequestError(status: 404, message: message) }
    public static func conflict(_ message: String) -> RequestError { RequestError(status: 409, message: message) }
    public static func unprocessable(_ message: String) -> RequestError {
        RequestError(status: 422, message: message)
    }

    public var description: String { "\(status) \(message)" }
}
