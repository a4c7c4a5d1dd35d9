// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateAuth
import Synchronization
import Testing

/// Behaviour that the fixture table does not pin down: the clock, sub-second leeway, and error texts.
@Suite("JWT verifier")
struct JWTVerifierTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "leeway applies with sub-second precision",
        arguments: [
            (-0.5, Duration.milliseconds(600), true),
            (-0.5, .milliseconds(400), false),
            (-0.5, .zero, false),
            (0.25, .zero, true),
            (-59.9, .seconds(60), true),
            (-60, .seconds(60), false),
        ] as [(Double, Duration, Bool)]
    )
    func leeway(expiresIn: Double, leeway: Duration, accepted: Bool) {
        let token = UnsignedToken.make(["exp": Self.now.timeIntervalSince1970 + expiresIn])
        let verifier = JWTVerifier(key: .unverified(), leeway: leeway, now: { Self.now })
        let result = Result { () throws(JWTError) in try verifier.verify(token) }
        if accepted {
            #expect(throws: Never.self) { try result.get() }
        } else {
            #expect(throws: JWTError.self) { try result.get() }
        }
    }

    @Test("the clock is read on every verification")
    func clockIsReadEachTime() throws {
        let clock = Mutex(Self.now)
        let verifier = JWTVerifier(key: .unverified(), now: { clock.withLock { $0 } })
        let token = UnsignedToken.make(["exp": Self.now.timeIntervalSince1970 + 10, "nbf": 1_799_999_995])
        #expect(try verifier.verify(token).expiresAt == Self.now.addingTimeInterval(10))
        clock.withLock { $0 = Self.now.addingTimeInterval(10) }
        #expect(throws: JWTError.self) { try verifier.verify(token) }
        clock.withLock { $0 = Self.now.addingTimeInterval(-6) }
        let early = #expect(throws: JWTError.self) { try verifier.verify(token) }
        #expect(early?.code == .notYetValid)
    }

    @Test("errors describe the failure without repeating the token")
    func errorText() throws {
        let token = UnsignedToken.make(["exp": 1, "secret": "do-not-log-me"])
        let verifier = JWTVerifier(key: .unverified(), now: { Self.now })
        let error = try #require(#expect(throws: JWTError.self) { try verifier.verify(token) })
        #expect(error.code == .expired)
        #expect(error.description.hasPrefix("expired: "))
        #expect(!error.description.contains(token))
        #expect(!error.description.contains("do-not-log-me"))
    }

    @Test("a real key's error names the algorithms it accepts")
    func mismatchMessage() throws {
        let key = try JWTVerificationKey(pem: JWTFixture.text("ec-p256.pem"))
        let verifier = JWTVerifier(key: key, now: { Self.now })
        let error = #expect(throws: JWTError.self) { try verifier.verify(UnsignedToken.make(["exp": 4e9])) }
        #expect(error?.code == .algorithmMismatch)
        #expect(error?.message.contains("HS256") == true)
        #expect(error?.message.contains("EC P-256") == true)
        #expect(error?.message.contains("ES256") == true)
    }

    @Test("error codes compare by name")
    func codes() {
        #expect(JWTError.Code.expired == .expired)
        #expect(JWTError.Code.expired != .notYetValid)
        #expect(JWTError.Code.badSignature.description == "badSignature")
        #expect(JWTError(.malformed, "x") == JWTError(.malformed, "x"))
        #expect(JWTError(.malformed, "x") != JWTError(.malformed, "y"))
    }
}
