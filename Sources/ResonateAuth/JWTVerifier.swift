// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Foundation
import ResonateProtocol

/// Verifies compact JWS tokens (RFC 7515, 7519) the way PROTOCOL §1.6 requires.
///
/// A token is accepted when all of these hold, checked in this order (the first failure is reported):
///
/// 1. It has exactly three segments, each canonical unpadded base64url, and its header is a JSON object.
/// 2. The header's `alg` is a known algorithm (never `none`) in the key's family, and it has no `crit` member.
/// 3. The signature verifies with the key, unless the key is ``JWTVerificationKey/unverified()``.
/// 4. The payload is a JSON object; `exp` is a number; `nbf` is a number if present; `iss`, `sub` and `role`
///    are strings if present; `aud` is a string or an array of strings if present. `null` counts as absent.
/// 5. `exp` is present and later than now; `nbf`, if present, is not later than now (both with ``leeway``).
/// 6. If an ``issuer`` is configured, `iss` equals it; if an ``audience`` is configured, `aud` contains it.
///
/// Signature checks are swift-crypto's (BoringSSL), which compare in constant time.
///
/// Differences from the reference server (Rust, jsonwebtoken 9):
/// - stricter: `nbf` is checked (the reference ignores it); a token expiring exactly now is expired, and
///   ``leeway`` defaults to zero where the reference allows 60 s (pass `.seconds(60)` to match it); a `crit`
///   header, a non-string `sub`, and in the unverified mode a signature segment that is not base64url, are
///   refused;
/// - more lenient: `exp` and `nbf` may be fractional NumericDates, and `aud` may be a single string (RFC 7519
///   allows both; the reference refuses them).
///
/// Like the reference, duplicate member names in the header or payload are refused.
public struct JWTVerifier: Sendable {
    /// The key signatures must verify with.
    public let key: JWTVerificationKey
    /// The required `iss`, or `nil` to accept any.
    public let issuer: String?
    /// The audience `aud` must contain, or `nil` to accept any.
    public let audience: String?
    /// Clock skew tolerated on `exp` and `nbf`.
    public let leeway: Duration
    private let now: @Sendable () -> Date

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - key: The public key, or ``JWTVerificationKey/unverified()``.
    ///   - issuer: `auth.iss`: when set, tokens must carry exactly this `iss`.
    ///   - audience: `auth.aud`: when set, tokens' `aud` must be or contain it.
    ///   - leeway: Clock skew tolerated on `exp` and `nbf`.
    ///   - now: The clock, injectable for tests.
    public init(
        key: JWTVerificationKey,
        issuer: String? = nil,
        audience: String? = nil,
        leeway: Duration = .zero,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.now = now
    }

    /// Verifies `token` (the raw compact JWS, without a `Bearer ` prefix) and returns its claims.
    ///
    /// - Throws: ``JWTError`` naming the first check that failed.
    public func verify(_ token: String) throws(JWTError) -> JWTClaims {
        let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw JWTError(.malformed, "a compact JWS has 3 segments, this token has \(segments.count)")
        }
        let (encodedHeader, encodedPayload, encodedSignature) = (segments[0], segments[1], segments[2])

        guard let headerBytes = Base64URL.decode(encodedHeader),
            let header = Self.jsonObject(headerBytes)
        else {
            throw JWTError(.malformed, "the header is not base64url-encoded JSON object")
        }
        let algorithm = try self.algorithm(header)

        guard let payloadBytes = Base64URL.decode(encodedPayload) else {
            throw JWTError(.malformed, "the payload is not base64url")
        }
        guard let signature = Base64URL.decode(encodedSignature) else {
            throw JWTError(.malformed, "the signature is not base64url")
        }
        // The signing input is the ASCII text of the first two segments and the dot between them.
        let signingInput = Array(token.utf8[encodedHeader.startIndex..<encodedPayload.endIndex])
        guard key.isValidSignature(signature, of: signingInput, algorithm: algorithm) else {
            throw JWTError(.badSignature, "the \(algorithm.rawValue) signature does not verify with the key")
        }

        guard let payload = Self.jsonObject(payloadBytes) else {
            throw JWTError(.malformed, "the payload is not a JSON object")
        }
        let claims = try Self.claims(payload)
        try validate(claims)
        return claims
    }

    /// The JSON object in `bytes`, or `nil` unless they are a strict RFC 8259 document whose top level is an
    /// object. The parser rejects duplicate member names: RFC 7519 §4 allows rejecting them or keeping the last,
    /// and `JSONDecoder` keeps the first, so `"role":"worker","role":"admin"` would mean something else here than
    /// at the issuer. The reference server (serde_json) rejects them too.
    private static func jsonObject(_ bytes: [UInt8]) -> [String: JSONValue]? {
        guard case .object(let members)? = try? JSONParser(maximumDepth: 128).parse(bytes) else { return nil }
        return members
    }

    private func algorithm(_ header: [String: JSONValue]) throws(JWTError) -> JWTAlgorithm {
        guard case .string(let name)? = header["alg"] else {
            throw JWTError(.malformed, "the header has no string 'alg'")
        }
        guard let algorithm = JWTAlgorithm(rawValue: name) else {
            throw JWTError(.unsupportedAlgorithm, "unsupported algorithm '\(name)'")
        }
        guard key.accepts(algorithm) else {
            let accepted = key.acceptedAlgorithms.joined(separator: ", ")
            throw JWTError(
                .algorithmMismatch,
                "algorithm \(name) cannot be used with the \(key.family) key (accepted: \(accepted))"
            )
        }
        // RFC 7515 §4.1.11: extensions listed in 'crit' must be understood, and this verifier understands none.
        if header["crit"] != nil {
            throw JWTError(.malformed, "the header has a 'crit' member")
        }
        return algorithm
    }

    private static func claims(_ payload: [String: JSONValue]) throws(JWTError) -> JWTClaims {
        let expiresAt: Date
        switch payload["exp"] {
        case nil, .null?:
            throw JWTError(.missingExpiration, "the token has no 'exp' claim")
        case .integer(let seconds)?:
            expiresAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        case .number(let seconds)?:
            expiresAt = Date(timeIntervalSince1970: seconds)
        default:
            throw JWTError(.malformed, "'exp' is not a number")
        }

        let notBefore: Date?
        switch payload["nbf"] {
        case nil, .null?:
            notBefore = nil
        case .integer(let seconds)?:
            notBefore = Date(timeIntervalSince1970: TimeInterval(seconds))
        case .number(let seconds)?:
            notBefore = Date(timeIntervalSince1970: seconds)
        default:
            throw JWTError(.malformed, "'nbf' is not a number")
        }

        let audience: [String]
        switch payload["aud"] {
        case nil, .null?:
            audience = []
        case .string(let value)?:
            audience = [value]
        case .array(let values)?:
            audience = try values.map { value throws(JWTError) in
                guard case .string(let member) = value else {
                    throw JWTError(.malformed, "'aud' holds a value that is not a string")
                }
                return member
            }
        default:
            throw JWTError(.malformed, "'aud' is neither a string nor an array of strings")
        }

        let prefix: JWTClaims.Prefix
        switch payload["prefix"] {
        case nil: prefix = .absent
        case .null?: prefix = .null
        case .string(let value)?: prefix = .value(value)
        default: prefix = .nonString
        }

        return JWTClaims(
            role: try string(payload, "role"),
            prefix: prefix,
            expiresAt: expiresAt,
            notBefore: notBefore,
            issuer: try string(payload, "iss"),
            subject: try string(payload, "sub"),
            audience: audience
        )
    }

    private static func string(_ payload: [String: JSONValue], _ name: String) throws(JWTError) -> String? {
        switch payload[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw JWTError(.malformed, "'\(name)' is not a string")
        }
    }

    private func validate(_ claims: JWTClaims) throws(JWTError) {
        let now = self.now()
        let leeway = TimeInterval(leeway.components.seconds) + TimeInterval(leeway.components.attoseconds) * 1e-18
        if now >= claims.expiresAt.addingTimeInterval(leeway) {
            throw JWTError(.expired, "the token expired at \(claims.expiresAt)")
        }
        if let notBefore = claims.notBefore, now.addingTimeInterval(leeway) < notBefore {
            throw JWTError(.notYetValid, "the token is not valid before \(notBefore)")
        }
        if let issuer, claims.issuer != issuer {
            throw JWTError(.wrongIssuer, "the token's issuer is not '\(issuer)'")
        }
        if let audience, !claims.audience.contains(audience) {
            throw JWTError(.wrongAudience, "the token's audience does not include '\(audience)'")
        }
    }
}
