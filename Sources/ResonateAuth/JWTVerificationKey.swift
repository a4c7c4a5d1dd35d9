// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import _CryptoExtras

/// A public key that verifies JWT signatures: the server's `auth.publickey` (PROTOCOL §1.6).
///
/// The key's type decides which `alg` values a token may carry:
///
/// | Key | PEM | Accepted `alg` |
/// | --- | --- | --- |
/// | RSA, 2048 bits or more | `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) | RS256/384/512, PS256/384/512 |
/// | EC P-256 | `PUBLIC KEY` | ES256 |
/// | EC P-384 | `PUBLIC KEY` | ES384 |
/// | Ed25519 | `PUBLIC KEY` | EdDSA |
///
/// Private keys, certificates, other curves (P-521, secp256k1, X25519) and RSA keys under 2048 bits are refused.
public struct JWTVerificationKey: Sendable {
    /// The kind of key, which fixes the algorithms a token may use.
    public enum Family: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// RSA: RS256, RS384, RS512, PS256, PS384, PS512.
        case rsa
        /// ECDSA on P-256: ES256.
        case ecP256
        /// ECDSA on P-384: ES384.
        case ecP384
        /// Ed25519: EdDSA.
        case ed25519
        /// No key: signatures are not checked (``JWTVerificationKey/unverified()``).
        case unverified

        public var description: String {
            switch self {
            case .rsa: "RSA"
            case .ecP256: "EC P-256"
            case .ecP384: "EC P-384"
            case .ed25519: "Ed25519"
            case .unverified: "unverified"
            }
        }
    }

    enum Storage: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case ecP256(P256.Signing.PublicKey)
        case ecP384(P384.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        case unverified
    }

    let storage: Storage

    private init(storage: Storage) {
        self.storage = storage
    }

    /// Reads a public key from PEM text; the type is detected from the key itself.
    ///
    /// Only the first PEM block is read; text around it is ignored.
    ///
    /// - Throws: ``JWTError/Code/invalidKey`` when the text holds no supported public key.
    public init(pem: String) throws(JWTError) {
        let block = try PEMBlock(parsing: pem)
        switch block.label {
        case "PUBLIC KEY":
            self.init(storage: try Self.subjectPublicKeyInfo(block.der))
        case "RSA PUBLIC KEY":
            self.init(storage: try Self.rsa(block.der))
        case let label where label.hasSuffix("PRIVATE KEY"):
            throw JWTError(.invalidKey, "'\(label)' is a private key: configure the matching public key instead")
        case "CERTIFICATE":
            throw JWTError(
                .invalidKey,
                "certificates are not supported: extract the public key (openssl x509 -pubkey -noout)"
            )
        case let label:
            throw JWTError(.invalidKey, "unsupported PEM block '\(label)': expected 'PUBLIC KEY'")
        }
    }

    /// Reads the server's `auth.publickey` setting: the word `none` for ``unverified()``, otherwise the path of a
    /// PEM file for ``init(pem:)``.
    ///
    /// - Throws: ``JWTError/Code/invalidKey`` when the file cannot be read or holds no supported key.
    public init(publicKeySetting setting: String) throws(JWTError) {
        if setting == "none" {
            self = .unverified()
            return
        }
        let pem: String
        do {
            pem = try String(contentsOfFile: setting, encoding: .utf8)
        } catch {
            throw JWTError(.invalidKey, "cannot read public key file '\(setting)': \(error)")
        }
        do {
            try self.init(pem: pem)
        } catch {
            throw JWTError(.invalidKey, "public key file '\(setting)': \(error.message)")
        }
    }

    /// No key at all: `auth.publickey = "none"`, the reference server's unsigned mode.
    ///
    /// Tokens must still be well formed, name a known algorithm other than `none`, carry a valid `exp` and pass
    /// the issuer and audience checks, but **their signatures are not checked**: anyone can mint a token with
    /// any `role` and `prefix`, `admin` included. This makes authorization a convenience for cooperating clients,
    /// not a security boundary. Use it for development and tests only.
    public static func unverified() -> JWTVerificationKey {
        JWTVerificationKey(storage: .unverified)
    }

    /// The kind of key.
    public var family: Family {
        switch storage {
        case .rsa: .rsa
        case .ecP256: .ecP256
        case .ecP384: .ecP384
        case .ed25519: .ed25519
        case .unverified: .unverified
        }
    }

    /// The `alg` values a token may carry with this key, in a fixed order (for logs).
    public var acceptedAlgorithms: [String] {
        JWTAlgorithm.allCases.filter(accepts).map(\.rawValue)
    }

    /// Whether a token signed with `algorithm` can be verified with this key.
    func accepts(_ algorithm: JWTAlgorithm) -> Bool {
        if case .unverified = storage { return true }
        return algorithm.family == family
    }

    /// Whether `signature` is a valid `algorithm` signature of `message`; true for any signature when unverified.
    ///
    /// The caller has already checked ``accepts(_:)``.
    func isValidSignature(_ signature: [UInt8], of message: [UInt8], algorithm: JWTAlgorithm) -> Bool {
        switch (storage, algorithm) {
        case (.unverified, _):
            return true
        case (.rsa(let key), .rs256), (.rsa(let key), .ps256):
            return key.isValid(signature, digest: SHA256.hash(data: message), pss: algorithm == .ps256)
        case (.rsa(let key), .rs384), (.rsa(let key), .ps384):
            return key.isValid(signature, digest: SHA384.hash(data: message), pss: algorithm == .ps384)
        case (.rsa(let key), .rs512), (.rsa(let key), .ps512):
            return key.isValid(signature, digest: SHA512.hash(data: message), pss: algorithm == .ps512)
        case (.ecP256(let key), .es256):
            // JWS carries ECDSA signatures as the fixed-width concatenation r || s (RFC 7518 §3.4), not DER.
            guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: message)
        case (.ecP384(let key), .es384):
            guard let signature = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: message)
        case (.ed25519(let key), .edDSA):
            return key.isValidSignature(signature, for: message)
        default:
            return false
        }
    }

    // MARK: - Parsing

    /// A `PUBLIC KEY` (SubjectPublicKeyInfo) of any supported type.
    private static func subjectPublicKeyInfo(_ der: [UInt8]) throws(JWTError) -> Storage {
        if let key = ed25519(der) {
            return .ed25519(key)
        }
        if let key = try? P256.Signing.PublicKey(derRepresentation: der) {
            return .ecP256(key)
        }
        if let key = try? P384.Signing.PublicKey(derRepresentation: der) {
            return .ecP384(key)
        }
        if let storage = try? rsa(der) {
            return storage
        }
        if let weak = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: der) {
            throw JWTError(.invalidKey, "RSA key of \(weak.keySizeInBits) bits: at least 2048 are required")
        }
        throw JWTError(
            .invalidKey,
            "unsupported public key: expected RSA (2048 bits or more), EC P-256, EC P-384 or Ed25519"
        )
    }

    /// An RSA key, SPKI or PKCS#1.
    private static func rsa(_ der: [UInt8]) throws(JWTError) -> Storage {
        if let key = try? _RSA.Signing.PublicKey(derRepresentation: der) {
            return .rsa(key)
        }
        if let weak = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: der) {
            throw JWTError(.invalidKey, "RSA key of \(weak.keySizeInBits) bits: at least 2048 are required")
        }
        throw JWTError(.invalidKey, "not a valid RSA public key")
    }

    /// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): SEQUENCE { SEQUENCE { OID 1.3.101.112 },
    /// BIT STRING (33 bytes: no unused bits, then the 32-byte key) }. DER being canonical, every encoding of an
    /// Ed25519 public key is exactly these 12 bytes followed by the key.
    private static let ed25519Prefix: [UInt8] = [
        0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00,
    ]

    private static func ed25519(_ der: [UInt8]) -> Curve25519.Signing.PublicKey? {
        guard der.count == ed25519Prefix.count + 32, der.starts(with: ed25519Prefix) else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: der[ed25519Prefix.count...])
    }
}

extension _RSA.Signing.PublicKey {
    /// Verifies an RSASSA-PKCS1-v1_5 (`pss == false`) or RSASSA-PSS signature with MGF1 and a salt as long as the
    /// digest (RFC 7518 §3.5) over `digest`.
    fileprivate func isValid(_ signature: [UInt8], digest: some Digest, pss: Bool) -> Bool {
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        return isValidSignature(signature, for: digest, padding: pss ? .PSS : .insecurePKCS1v1_5)
    }
}
