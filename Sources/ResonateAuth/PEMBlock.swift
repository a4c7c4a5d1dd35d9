// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The first `-----BEGIN …-----` / `-----END …-----` block of a PEM text (RFC 7468), decoded.
///
/// Text before and after the block (comments, a second block) is ignored, as are line endings and indentation
/// inside it.
struct PEMBlock {
    /// The label, such as `PUBLIC KEY` or `RSA PUBLIC KEY`.
    var label: String
    /// The DER bytes of the block's body.
    var der: [UInt8]

    init(parsing text: String) throws(JWTError) {
        guard let begin = text.range(of: "-----BEGIN "),
            let beginEnd = text.range(of: "-----", range: begin.upperBound..<text.endIndex)
        else {
            throw JWTError(.invalidKey, "not a PEM text: no '-----BEGIN …-----' line")
        }
        let label = String(text[begin.upperBound..<beginEnd.lowerBound])
        guard let end = text.range(of: "-----END \(label)-----", range: beginEnd.upperBound..<text.endIndex) else {
            throw JWTError(.invalidKey, "PEM block '\(label)' has no matching END line")
        }
        let body = text[beginEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)), !der.isEmpty else {
            throw JWTError(.invalidKey, "PEM block '\(label)' is not valid base64")
        }
        self.label = label
        self.der = Array(der)
    }
}
