// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The result of a durable function that returns nothing.
///
/// Functions registered with a `Void` body produce `Nothing`, stored as the empty value `{}` — the same encoding
/// the Python SDK uses for `None` — so callers in any language see "no value".
public struct Nothing: Codable, Sendable, Hashable {
    public init() {}

    public init(from decoder: any Decoder) throws {}

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}
