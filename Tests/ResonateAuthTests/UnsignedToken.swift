// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Tokens with a placeholder signature, for tests run with ``ResonateAuth/JWTVerificationKey/unverified()``.
enum UnsignedToken {
    /// A compact JWS with header `{"alg": alg}`, the JSON encoding of `claims`, and a signature that is valid
    /// base64url but signs nothing.
    static func make(_ claims: [String: any Sendable], alg: String = "HS256") -> String {
        let header = try! JSONSerialization.data(withJSONObject: ["alg": alg])
        let payload = try! JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        return "\(encode(header)).\(encode(payload)).\(encode(Data("signature".utf8)))"
    }

    /// Unpadded base64url.
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
