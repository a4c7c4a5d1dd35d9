// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The authorization rules of PROTOCOL §1.6.
///
/// The server works out which resource ids a request acts on (that mapping knows the request kinds and is not
/// here); these functions only apply the token's `role` and `prefix` to them.
public enum Authorization {
    /// The outcome of a check.
    public enum Decision: Sendable, Hashable {
        /// Go ahead.
        case allowed
        /// 401 `"Unauthorized"`: no token, or one that failed verification.
        case unauthenticated
        /// 403 `"Forbidden"`: a valid token whose `prefix` does not cover the request.
        case forbidden
    }

    /// Applies `claims` to a request that acts on `resourceIDs`.
    ///
    /// - `role` equal to `admin`, ignoring case, allows everything.
    /// - Otherwise a `prefix` that is absent, `null` or not a string forbids everything, and `""` allows
    ///   everything.
    /// - Otherwise every id must start with the prefix. The test compares UTF-8 bytes, like the reference server,
    ///   not characters: `"é"` (U+00E9) does not cover `"e\u{301}"` though Swift's `hasPrefix` says it does,
    ///   and no separator is implied (`"abc"` covers `"abcd"`).
    ///
    /// An empty `resourceIDs` stands for a request that names no resource a prefix could cover: the searches and
    /// unknown kinds, which the reference server checks against the resource id `""`. It is therefore forbidden
    /// unless the token is admin or has the prefix `""`.
    ///
    /// The reference server also skips the prefix test when a request lacks its resource field (`data.id` missing
    /// or not a string) and for a `task.heartbeat` whose tasks carry no string id; such requests then fail
    /// validation with 400. Passing `[]` for them answers 403 instead, which is just as final.
    public static func decide(claims: JWTClaims, resourceIDs: [String]) -> Decision {
        if let role = claims.role, role.lowercased() == "admin" {
            return .allowed
        }
        guard case .value(let prefix) = claims.prefix else {
            return .forbidden
        }
        if prefix.isEmpty {
            return .allowed
        }
        guard !resourceIDs.isEmpty, resourceIDs.allSatisfy({ $0.utf8.starts(with: prefix.utf8) }) else {
            return .forbidden
        }
        return .allowed
    }

    /// Authenticates `token` with `verifier` and then applies ``decide(claims:resourceIDs:)``.
    ///
    /// A missing or empty token is ``Decision/unauthenticated``, as is any ``JWTError``.
    public static func decide(token: String?, verifier: JWTVerifier, resourceIDs: [String]) -> Decision {
        guard let token, !token.isEmpty, let claims = try? verifier.verify(token) else {
            return .unauthenticated
        }
        return decide(claims: claims, resourceIDs: resourceIDs)
    }

    /// The token of an `Authorization: Bearer <token>` header, as the SSE route (`GET /poll/…`) reads it: the
    /// scheme is matched case-sensitively, like the reference server, and an empty token counts as none.
    public static func bearerToken(fromAuthorizationHeader header: String?) -> String? {
        guard let header, header.hasPrefix("Bearer ") else { return nil }
        let token = header.dropFirst("Bearer ".count)
        return token.isEmpty ? nil : String(token)
    }
}
