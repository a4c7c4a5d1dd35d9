// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Why a token or a key was refused.
///
/// Every token failure means the same thing to the server, 401 `"Unauthorized"` (PROTOCOL §1.6); the ``code``
/// exists for logs and tests, and the ``message`` says what exactly was wrong. Neither ever contains the token.
public struct JWTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, compared by name.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A short camel-case name such as `"badSignature"`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// Not a compact JWS: a segment count other than three, a segment that is not canonical unpadded
        /// base64url, a header or payload that is not a JSON object, or a claim of the wrong JSON type.
        public static let malformed = Code("malformed")
        /// The header's `alg` is `none` (in any case) or an algorithm this module does not know.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The header's `alg` is real but outside the key's family, an HMAC algorithm among them.
        public static let algorithmMismatch = Code("algorithmMismatch")
        /// The signature does not verify with the key.
        public static let badSignature = Code("badSignature")
        /// `exp` is not in the future (beyond the leeway).
        public static let expired = Code("expired")
        /// `nbf` is still in the future (beyond the leeway).
        public static let notYetValid = Code("notYetValid")
        /// The token has no `exp` claim, or it is `null`.
        public static let missingExpiration = Code("missingExpiration")
        /// An issuer is configured and `iss` is missing or different.
        public static let wrongIssuer = Code("wrongIssuer")
        /// An audience is configured and `aud` is missing or does not contain it.
        public static let wrongAudience = Code("wrongAudience")
        /// The PEM text is not a supported public key (thrown by ``JWTVerificationKey``, never by a token).
        public static let invalidKey = Code("invalidKey")

        public var description: String {
            name
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation, for logs.
    public var message: String

    /// Creates an error of kind `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String {
        "\(code.name): \(message)"
    }
}
