// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateAuth
import Testing

/// Replays the tokens of `Fixtures/jwt-cases.json`, generated with Python's `cryptography` and checked by PyJWT.
@Suite("JWT verification agrees with the generated fixtures")
struct JWTFixtureTests {
    /// Decoded once, not once per case.
    static let fixture = Result { try JWTFixture.load() }

    @Test("each token verifies or fails as recorded", arguments: try fixture.get().cases)
    func tokenOutcome(_ fixtureCase: JWTFixture.Case) throws {
        let fixture = try Self.fixture.get()
        let verifier = fixture.verifier(key: try fixture.key(named: fixtureCase.key), settings: fixtureCase.verifier)
        if let expectedCode = fixtureCase.error {
            let error = #expect(throws: JWTError.self) { try verifier.verify(fixtureCase.token) }
            #expect(error?.code.name == expectedCode, "\(String(describing: error))")
        } else {
            let expected = try #require(fixtureCase.claims).expected
            let claims = try verifier.verify(fixtureCase.token)
            #expect(claims == expected)
        }
    }

    @Test("RSA tokens verify the same with the PKCS#1 form of the key")
    func pkcs1KeyAgreesWithSPKI() throws {
        let fixture = try Self.fixture.get()
        let spki = try fixture.key(named: "rsa")
        let pkcs1 = try fixture.key(named: "rsaPKCS1")
        #expect(pkcs1.family == .rsa)
        let rsaCases = fixture.cases.filter { $0.key == "rsa" }
        #expect(rsaCases.count > 50)
        for fixtureCase in rsaCases {
            let viaSPKI = Result { () throws(JWTError) in
                try fixture.verifier(key: spki, settings: fixtureCase.verifier).verify(fixtureCase.token)
            }
            let viaPKCS1 = Result { () throws(JWTError) in
                try fixture.verifier(key: pkcs1, settings: fixtureCase.verifier).verify(fixtureCase.token)
            }
            #expect(viaSPKI == viaPKCS1, "\(fixtureCase.name)")
        }
    }

    @Test("the fixture covers every algorithm and every error code")
    func fixtureIsComplete() throws {
        let fixture = try Self.fixture.get()
        #expect(!fixture.cryptography.isEmpty)
        let names = fixture.cases.map(\.name)
        #expect(Set(names).count == names.count, "case names are unique")
        for algorithm in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"] {
            for suffix in ["valid", "payload edited after signing", "signature bit flipped", "expired"] {
                #expect(names.contains("\(algorithm): \(suffix)"), "\(algorithm): \(suffix)")
            }
        }
        let codes = Set(fixture.cases.compactMap(\.error))
        let tokenCodes: Set<String> = [
            "malformed", "unsupportedAlgorithm", "algorithmMismatch", "badSignature", "expired", "notYetValid",
            "missingExpiration", "wrongIssuer", "wrongAudience",
        ]
        #expect(codes == tokenCodes)
        for fixtureCase in fixture.cases {
            #expect((fixtureCase.error == nil) != (fixtureCase.claims == nil), "\(fixtureCase.name)")
        }
    }
}
