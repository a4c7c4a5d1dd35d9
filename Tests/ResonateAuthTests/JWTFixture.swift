// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateAuth
import Testing

/// `Fixtures/jwt-cases.json` and the PEM keys beside it, written by `scripts/fixtures/generate_jwt_fixtures.py`
/// with Python's `cryptography` and cross-checked there with PyJWT.
struct JWTFixture: Decodable, Sendable {
    /// One token, the verifier settings to check it with, and the outcome: either an error code or the claims.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        /// A name in ``JWTFixture/keys``, or `unverified`.
        var key: String
        var token: String
        var verifier: Settings?
        var error: String?
        var claims: Claims?

        var testDescription: String {
            name
        }
    }

    /// Verifier settings; absent means none.
    struct Settings: Decodable, Sendable {
        var issuer: String?
        var audience: String?
        var leewaySeconds: Int?
    }

    /// The claims ``JWTVerifier/verify(_:)`` must return.
    struct Claims: Decodable, Sendable {
        /// Exactly one member is set, named after the ``JWTClaims/Prefix`` case.
        struct Prefix: Decodable, Sendable {
            var absent: Bool?
            var null: Bool?
            var value: String?
            var nonString: Bool?
        }

        var role: String?
        var prefix: Prefix
        var expiresAt: Double
        var notBefore: Double?
        var issuer: String?
        var subject: String?
        var audience: [String]

        var expected: JWTClaims {
            let prefix: JWTClaims.Prefix =
                if let value = prefix.value {
                    .value(value)
                } else if prefix.null == true {
                    .null
                } else if prefix.nonString == true {
                    .nonString
                } else {
                    .absent
                }
            return JWTClaims(
                role: role,
                prefix: prefix,
                expiresAt: Date(timeIntervalSince1970: expiresAt),
                notBefore: notBefore.map { Date(timeIntervalSince1970: $0) },
                issuer: issuer,
                subject: subject,
                audience: audience
            )
        }
    }

    var cryptography: String
    /// The instant the tests inject as "now", in seconds since the epoch.
    var now: Double
    /// Key name → PEM file name in the fixtures directory.
    var keys: [String: String]
    var cases: [Case]

    /// The fixtures directory, found relative to this source file so the tests need no resource rules.
    static func directory(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static func load() throws -> JWTFixture {
        let url = directory().appendingPathComponent("jwt-cases.json")
        return try JSONDecoder().decode(JWTFixture.self, from: Data(contentsOf: url))
    }

    /// The text of a file in the fixtures directory.
    static func text(_ fileName: String) throws -> String {
        try String(contentsOf: directory().appendingPathComponent(fileName), encoding: .utf8)
    }

    /// The key a case names.
    func key(named name: String) throws -> JWTVerificationKey {
        if name == "unverified" {
            return .unverified()
        }
        let fileName = try #require(keys[name], "no key named \(name)")
        return try JWTVerificationKey(pem: Self.text(fileName))
    }

    /// A verifier for `key` with `settings` and the fixture's clock.
    func verifier(key: JWTVerificationKey, settings: Settings?) -> JWTVerifier {
        let now = Date(timeIntervalSince1970: now)
        return JWTVerifier(
            key: key,
            issuer: settings?.issuer,
            audience: settings?.audience,
            leeway: .seconds(settings?.leewaySeconds ?? 0),
            now: { now }
        )
    }
}
