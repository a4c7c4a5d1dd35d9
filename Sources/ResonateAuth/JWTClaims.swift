// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Foundation

/// The claims of a verified token that the server uses (PROTOCOL §1.6). Other claims are ignored.
public struct JWTClaims: Sendable, Hashable {
    /// The `prefix` claim, whose four shapes authorize differently (see ``Authorization``).
    public enum Prefix: Sendable, Hashable {
        /// The payload has no `prefix` member.
        case absent
        /// `"prefix": null`.
        case null
        /// A string; the empty string grants every resource.
        case value(String)
        /// Any other JSON type (number, boolean, array, object).
        case nonString
    }

    /// `role`, if it is present and not `null`; `admin` in any case grants everything.
    public var role: String?
    /// `prefix`.
    public var prefix: Prefix
    /// `exp`, which every accepted token has.
    public var expiresAt: Date
    /// `nbf`, if present and not `null`.
    public var notBefore: Date?
    /// `iss`, if present and not `null`.
    public var issuer: String?
    /// `sub`, if present and not `null`.
    public var subject: String?
    /// `aud`, a single string read as a one-element list; empty when absent.
    public var audience: [String]

    /// Creates claims directly, for tests of authorization and for servers that obtain them elsewhere.
    public init(
        role: String? = nil,
        prefix: Prefix = .absent,
        expiresAt: Date,
        notBefore: Date? = nil,
        issuer: String? = nil,
        subject: String? = nil,
        audience: [String] = []
    ) {
        self.role = role
        self.prefix = prefix
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
    }
}
