// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The JWS `alg` values this module recognises: those of the reference server's JWT library.
///
/// The HMAC ones are recognised only so that the unverified mode accepts them as the reference server does; no
/// public key verifies them. `none` is deliberately absent.
enum JWTAlgorithm: String, Sendable, CaseIterable {
    case hs256 = "HS256"
    case hs384 = "HS384"
    case hs512 = "HS512"
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case ps384 = "PS384"
    case ps512 = "PS512"
    case es256 = "ES256"
    case es384 = "ES384"
    case edDSA = "EdDSA"

    /// The key family whose keys verify this algorithm; `nil` for HMAC, which needs a shared secret.
    var family: JWTVerificationKey.Family? {
        switch self {
        case .hs256, .hs384, .hs512: nil
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: .rsa
        case .es256: .ecP256
        case .es384: .ecP384
        case .edDSA: .ed25519
        }
    }
}
