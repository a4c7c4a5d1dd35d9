// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// An error raised by the SDK itself (as opposed to one thrown by a durable function).
///
/// ```swift
/// do {
///     try await resonate.run("job", workflow, 1)
/// } catch let error as ResonateError where error.code == .timedOut {
///     // the execution's promise passed its deadline
/// }
/// ```
public struct ResonateError: Error, Sendable, Hashable, CustomStringConvertible, Codable {
    /// What kind of failure this is. Extensible: new codes can be added without breaking `switch`es elsewhere.
    public struct Code: Sendable, Hashable, CustomStringConvertible, Codable {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public init(from decoder: any Decoder) throws {
            name = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(name)
        }

        /// No function is registered under the name a task names.
        public static let functionNotFound = Code("functionNotFound")
        /// A function with this name and version is already registered.
        public static let alreadyRegistered = Code("alreadyRegistered")
        /// The server answered with an error status; see ``ResonateError/status``.
        public static let server = Code("server")
        /// The server could not be reached.
        public static let unavailable = Code("unavailable")
        /// A value could not be encoded.
        public static let encoding = Code("encoding")
        /// A stored value could not be decoded into the expected type.
        public static let decoding = Code("decoding")
        /// The promise passed its deadline before it settled.
        public static let timedOut = Code("timedOut")
        /// The promise was canceled.
        public static let canceled = Code("canceled")
        /// The promise does not exist (any more).
        public static let notFound = Code("notFound")
        /// An id is not valid for this server's lineage rules.
        public static let invalidID = Code("invalidID")
        /// A replayed execution made a different call than the one it recorded at the same position.
        public static let nonDeterminism = Code("nonDeterminism")
        /// The ``Resonate`` instance is not running (see ``Resonate/run()``) or has stopped.
        public static let notRunning = Code("notRunning")
        /// The task's lease was lost: another process owns the execution now.
        public static let leaseLost = Code("leaseLost")
        /// A dependency was requested that was never provided.
        public static let missingDependency = Code("missingDependency")
        /// A setting has a value that cannot be used; the message names the setting.
        public static let invalidConfiguration = Code("invalidConfiguration")
    }

    public var code: Code
    public var message: String
    /// The HTTP status, for ``Code/server`` errors.
    public var status: Int?

    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String {
        if let status { return "\(code) (\(status)): \(message)" }
        return "\(code): \(message)"
    }
}
