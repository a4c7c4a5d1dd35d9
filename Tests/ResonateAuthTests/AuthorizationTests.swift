// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateAuth
import Testing

@Suite("Authorization rules of PROTOCOL §1.6")
struct AuthorizationTests {
    typealias Decision = Authorization.Decision

    /// 2100-01-01T00:00:00Z in seconds, as `exp`.
    private static let valid = 4_102_444_800
    private static let expiry = Date(timeIntervalSince1970: TimeInterval(valid))

    @Test(
        "role and prefix decide",
        arguments: [
            // admin, in any case, allows everything whatever the prefix.
            ("admin", JWTClaims.Prefix.absent, [], Decision.allowed),
            ("admin", .absent, ["anything"], .allowed),
            ("ADMIN", .null, ["x"], .allowed),
            ("Admin", .nonString, ["x"], .allowed),
            ("aDmIn", .value("abc"), ["other"], .allowed),
            // Any other role is no role at all.
            ("administrator", .absent, ["x"], .forbidden),
            (" admin", .absent, ["x"], .forbidden),
            ("", .absent, ["x"], .forbidden),
            ("worker", .value("abc"), ["abc1"], .allowed),
            // prefix absent, null or not a string: forbidden.
            (nil, .absent, ["x"], .forbidden),
            (nil, .absent, [], .forbidden),
            (nil, .null, ["x"], .forbidden),
            (nil, .null, [""], .forbidden),
            (nil, .nonString, ["x"], .forbidden),
            // prefix "": everything, searches included.
            (nil, .value(""), [], .allowed),
            (nil, .value(""), [""], .allowed),
            (nil, .value(""), ["anything", "else"], .allowed),
            // Otherwise every id must start with the prefix.
            (nil, .value("abc"), ["abc"], .allowed),
            (nil, .value("abc"), ["abcdef"], .allowed),
            (nil, .value("abc"), ["abc:1.2"], .allowed),
            (nil, .value("abc"), ["abc.1", "abc.2", "abcd"], .allowed),
            (nil, .value("abc"), ["ab"], .forbidden),
            (nil, .value("abc"), ["xabc"], .forbidden),
            (nil, .value("abc"), ["ABC"], .forbidden),
            (nil, .value("abc"), [""], .forbidden),
            (nil, .value("abc"), ["abc.1", "other"], .forbidden),
            (nil, .value("abc"), ["other", "abc.1"], .forbidden),
            // No resource id (searches, unknown kinds) counts as "".
            (nil, .value("abc"), [], .forbidden),
            (nil, .value("a"), [], .forbidden),
        ] as [(String?, JWTClaims.Prefix, [String], Decision)]
    )
    func decide(role: String?, prefix: JWTClaims.Prefix, resourceIDs: [String], expected: Decision) {
        let claims = JWTClaims(role: role, prefix: prefix, expiresAt: Self.expiry)
        #expect(Authorization.decide(claims: claims, resourceIDs: resourceIDs) == expected)
    }

    @Test(
        "prefixes compare bytes, as the reference server does, not Unicode characters",
        arguments: [
            // "e" is a byte prefix of "e" + COMBINING ACUTE ACCENT, though not a character prefix.
            ("e", "e\u{301}x", Decision.allowed),
            // Precomposed "é" and decomposed "e" + U+0301 are canonically equivalent but different bytes.
            ("\u{E9}", "e\u{301}x", .forbidden),
            ("e\u{301}", "\u{E9}x", .forbidden),
            ("\u{E9}", "\u{E9}x", .allowed),
            ("🙂", "🙂🙃", .allowed),
        ]
    )
    func bytewisePrefix(prefix: String, resourceID: String, expected: Decision) {
        let claims = JWTClaims(prefix: .value(prefix), expiresAt: Self.expiry)
        #expect(Authorization.decide(claims: claims, resourceIDs: [resourceID]) == expected)
    }

    @Test(
        "a request's token is authenticated before it is authorized",
        arguments: [
            ("no token", nil, ["abc.1"], Decision.unauthenticated),
            ("empty token", "", ["abc.1"], .unauthenticated),
            ("garbage", "not a token", ["abc.1"], .unauthenticated),
            ("expired", UnsignedToken.make(["exp": 1, "role": "admin"]), [], .unauthenticated),
            ("alg none", UnsignedToken.make(["exp": Self.valid, "role": "admin"], alg: "none"), [], .unauthenticated),
            ("admin", UnsignedToken.make(["exp": Self.valid, "role": "admin"]), [], .allowed),
            ("prefix covers", UnsignedToken.make(["exp": Self.valid, "prefix": "abc"]), ["abc.1"], .allowed),
            ("prefix misses", UnsignedToken.make(["exp": Self.valid, "prefix": "abc"]), ["xyz"], .forbidden),
            ("no prefix", UnsignedToken.make(["exp": Self.valid]), ["abc.1"], .forbidden),
        ] as [(String, String?, [String], Decision)]
    )
    func decideToken(label: String, token: String?, resourceIDs: [String], expected: Decision) {
        let verifier = JWTVerifier(key: .unverified(), now: { Date(timeIntervalSince1970: 1_800_000_000) })
        let decision = Authorization.decide(token: token, verifier: verifier, resourceIDs: resourceIDs)
        #expect(decision == expected, "\(label)")
    }

    @Test(
        "bearer tokens are read from the Authorization header",
        arguments: [
            ("Bearer abc.def.ghi", "abc.def.ghi"),
            ("Bearer  abc", " abc"),
            ("Bearer ", nil),
            ("Bearer", nil),
            ("bearer abc", nil),
            ("BEARER abc", nil),
            ("Basic dXNlcjpwYXNz", nil),
            ("abc.def.ghi", nil),
            ("", nil),
        ] as [(String, String?)]
    )
    func bearerToken(header: String, expected: String?) {
        #expect(Authorization.bearerToken(fromAuthorizationHeader: header) == expected)
    }

    @Test("no Authorization header, no token")
    func missingHeader() {
        #expect(Authorization.bearerToken(fromAuthorizationHeader: nil) == nil)
    }
}
