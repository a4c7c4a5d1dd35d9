// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// An opaque payload: a promise's `param` or settled `value`.
///
/// The server never interprets `data`; by convention SDKs put standard base64 of a JSON document there. Both
/// fields are optional and omitted from JSON when absent, so an empty value is written as `{}`.
public struct Value: Sendable, Hashable {
    public var headers: [String: String]?
    public var data: String?

    public init(headers: [String: String]? = nil, data: String? = nil) {
        self.headers = headers
        self.data = data
    }

    /// The empty value `{}`.
    public static let empty = Value()

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let headers {
            writer.key("headers")
            writer.stringMap(headers)
        }
        if let data {
            writer.key("data")
            writer.string(data)
        }
        writer.endObject()
    }
}
