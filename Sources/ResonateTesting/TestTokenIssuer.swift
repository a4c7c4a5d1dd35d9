// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
public import ResonateAuth
import _CryptoExtras

/// Issues JWTs for tests of applications against a server with authentication: a key pair generated on the spot,
/// tokens signed with it, and the public key for the server.
///
/// ```swift
/// let issuer = try TestTokenIssuer(.es256)
/// try await InProcessServer.with(server: { $0.authentication = issuer.verifier }) { server in
///     let resonate = Resonate(url: server.url, token: try issuer.token(claims: #""prefix":"orders.""#))
///     …
/// }
/// ```
public struct TestTokenIssuer: Sendable {
    /// The signature algorithms (and so key types) an issuer can use.
    public enum Algorithm: String, Sendable, CaseIterable, CustomStringConvertible {
        case es256 = "ES256"
        case es384 = "ES384"
        case edDSA = "EdDSA"
        case rs256 = "RS256"
        case ps512 = "PS512"

        public var description: String { rawValue }
    }

    public let algorithm: Algorithm
    /// The public key, PEM (what `resonate serve --auth-publickey` reads).
    public let publicKeyPEM: String
    /// A verifier of this issuer's tokens, for the server's `authentication` setting.
    public let verifier: JWTVerifier
    private let sign: @Sendable ([UInt8]) throws -> [UInt8]

    /// Generates a new key pair.
    public init(_ algorithm: Algorithm = .es256) throws {
        self.algorithm = algorithm
        switch algorithm {
        case .es256:
            let key = P256.Signing.PrivateKey()
            publicKeyPEM = key.publicKey.pemRepresentation
            sign = { Array(try key.signature(for: $0).rawRepresentation) }
        case .es384:
            let key = P384.Signing.PrivateKey()
            publicKeyPEM = key.publicKey.pemRepresentation
            sign = { Array(try key.signature(for: $0).rawRepresentation) }
        case .edDSA:
            let key = Curve25519.Signing.PrivateKey()
            // SubjectPublicKeyInfo of an Ed25519 key: a fixed 12-byte DER prefix, then the 32 key bytes.
            let der =
                [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
                + key.publicKey.rawRepresentation
            publicKeyPEM = "-----BEGIN PUBLIC KEY-----\n\(Data(der).base64EncodedString())\n-----END PUBLIC KEY-----\n"
            sign = { Array(try key.signature(for: $0)) }
        case .rs256:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            publicKeyPEM = key.publicKey.pemRepresentation
            sign = {
                Array(try key.signature(for: SHA256.hash(data: $0), padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        case .ps512:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            publicKeyPEM = key.publicKey.pemRepresentation
            sign = { Array(try key.signature(for: SHA512.hash(data: $0), padding: .PSS).rawRepresentation) }
        }
        verifier = JWTVerifier(key: try JWTVerificationKey(pem: publicKeyPEM))
    }

    /// A token with `payload` (JSON object text) and a header naming `headerAlgorithm` (default: the key's).
    public func token(_ payload: String, headerAlgorithm: String? = nil) throws -> String {
        let header = #"{"alg":"\#(headerAlgorithm ?? algorithm.rawValue)","typ":"JWT"}"#
        let input = Self.base64URL(Array(header.utf8)) + "." + Self.base64URL(Array(payload.utf8))
        return input + "." + Self.base64URL(try sign(Array(input.utf8)))
    }

    /// A token whose claims are `claims` (JSON object members without the braces, e.g. `"role":"admin"`) and
    /// which expires in an hour.
    public func token(claims: String) throws -> String {
        let expiry = Int(Date().timeIntervalSince1970) + 3600
        return try token(claims.isEmpty ? #"{"exp":\#(expiry)}"# : #"{"exp":\#(expiry),\#(claims)}"#)
    }

    /// Writes the public key to a new file and returns its path.
    public func writePublicKey() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString).pem").path
        try publicKeyPEM.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Unpadded base64url, as JWS segments are encoded.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
