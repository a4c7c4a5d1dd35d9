// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateAuth
import Testing

@Suite("Loading verification keys from PEM")
struct JWTVerificationKeyTests {
    @Test(
        "supported keys are detected with their algorithms",
        arguments: [
            ("rsa-2048.pem", JWTVerificationKey.Family.rsa, ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]),
            ("rsa-2048-pkcs1.pem", .rsa, ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]),
            ("ec-p256.pem", .ecP256, ["ES256"]),
            ("ec-p384.pem", .ecP384, ["ES384"]),
            ("ed25519.pem", .ed25519, ["EdDSA"]),
        ]
    )
    func supportedKey(fileName: String, family: JWTVerificationKey.Family, algorithms: [String]) throws {
        let key = try JWTVerificationKey(pem: JWTFixture.text(fileName))
        #expect(key.family == family)
        #expect(key.acceptedAlgorithms == algorithms)
    }

    @Test(
        "unsupported keys in fixture files are refused",
        arguments: [
            ("rsa-1024.pem", "1024 bits"),
            ("ec-p521.pem", "unsupported public key"),
            ("x25519.pem", "unsupported public key"),
        ]
    )
    func unsupportedKeyFile(fileName: String, messageFragment: String) throws {
        let error = #expect(throws: JWTError.self) { try JWTVerificationKey(pem: JWTFixture.text(fileName)) }
        #expect(error?.code == .invalidKey)
        #expect(error?.message.contains(messageFragment) == true, "\(String(describing: error))")
    }

    @Test(
        "text that holds no public key is refused",
        arguments: [
            ("empty", ""),
            ("no PEM at all", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"),
            ("no END line", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n"),
            ("mismatched END label", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END RSA PUBLIC KEY-----\n"),
            ("empty body", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"),
            ("body not base64", "-----BEGIN PUBLIC KEY-----\nnot*base64\n-----END PUBLIC KEY-----\n"),
            ("body not a key", "-----BEGIN PUBLIC KEY-----\naGVsbG8gd29ybGQ=\n-----END PUBLIC KEY-----\n"),
            ("truncated Ed25519 key", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"),
            ("PKCS#1 label, not RSA", "-----BEGIN RSA PUBLIC KEY-----\naGVsbG8=\n-----END RSA PUBLIC KEY-----\n"),
            ("private key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            ("EC private key", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"),
            ("RSA private key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"),
            ("certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            ("other label", "-----BEGIN SSH2 PUBLIC KEY-----\nAAAA\n-----END SSH2 PUBLIC KEY-----\n"),
        ]
    )
    func notAPublicKey(label: String, pem: String) {
        let error = #expect(throws: JWTError.self, "\(label)") { try JWTVerificationKey(pem: pem) }
        #expect(error?.code == .invalidKey)
        #expect(error?.message.isEmpty == false)
    }

    /// Ways a correct PEM file may be laid out.
    enum Layout: String, CaseIterable, Sendable {
        case crlfLineEndings
        case textAroundTheBlock
        case bodyOnOneLine
        case indentedLines
        case noFinalNewline
        case secondBlockAfterIt

        func apply(to pem: String) -> String {
            switch self {
            case .crlfLineEndings:
                pem.replacingOccurrences(of: "\n", with: "\r\n")
            case .textAroundTheBlock:
                "# the dev key\n\n\(pem)\ntrailing words\n"
            case .bodyOnOneLine:
                pem.split(separator: "\n").map { $0.hasPrefix("-----") ? "\n\($0)\n" : String($0) }.joined()
            case .indentedLines:
                pem.split(separator: "\n").map { "   \($0)" }.joined(separator: "\n")
            case .noFinalNewline:
                String(pem.dropLast())
            case .secondBlockAfterIt:
                pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
            }
        }
    }

    @Test("PEM layout does not matter", arguments: Layout.allCases)
    func layout(_ layout: Layout) throws {
        for (fileName, family) in [("rsa-2048.pem", JWTVerificationKey.Family.rsa), ("ed25519.pem", .ed25519)] {
            let pem = layout.apply(to: try JWTFixture.text(fileName))
            #expect(try JWTVerificationKey(pem: pem).family == family, "\(fileName)")
        }
    }

    @Test("the auth.publickey setting is 'none' or a file path")
    func publicKeySetting() throws {
        #expect(try JWTVerificationKey(publicKeySetting: "none").family == .unverified)
        let path = JWTFixture.directory().appendingPathComponent("ec-p384.pem").path
        #expect(try JWTVerificationKey(publicKeySetting: path).family == .ecP384)

        let missing = #expect(throws: JWTError.self) {
            try JWTVerificationKey(publicKeySetting: "/nonexistent/resonate/public.pem")
        }
        #expect(missing?.code == .invalidKey)
        #expect(missing?.message.contains("/nonexistent/resonate/public.pem") == true)

        let weak = JWTFixture.directory().appendingPathComponent("rsa-1024.pem").path
        let refused = #expect(throws: JWTError.self) { try JWTVerificationKey(publicKeySetting: weak) }
        #expect(refused?.message.contains("rsa-1024.pem") == true)
        #expect(refused?.message.contains("1024 bits") == true)
    }

    @Test("the unverified key accepts every known algorithm but none")
    func unverifiedKey() {
        let key = JWTVerificationKey.unverified()
        #expect(key.family == .unverified)
        #expect(
            key.acceptedAlgorithms == [
                "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                "EdDSA",
            ]
        )
        #expect(!key.acceptedAlgorithms.contains { $0.lowercased() == "none" })
    }
}
