// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a ``Value``'s `data` holds, decoded the way every Resonate SDK encodes it: standard base64 of a JSON
/// document.
public enum Payload: Sendable, Equatable {
    /// No `data`: SDKs read it as `null`.
    case none
    /// `data` is base64 of this JSON document.
    case json(JSONValue)
    /// `data` is something else (not base64, or not JSON inside); kept exactly as stored.
    case raw(String)

    public init(_ value: Value) {
        guard let data = value.data else {
            self = .none
            return
        }
        guard let bytes = Data(base64Encoded: data), let document = try? JSONParser().parse(bytes) else {
            self = .raw(data)
            return
        }
        self = .json(document)
    }

    /// The value carrying `document` as SDKs write it: compact JSON, base64-encoded, no headers.
    public static func value(of document: JSONValue) -> Value {
        var writer = JSONWriter()
        writer.value(document)
        return Value(data: Data(writer.bytes).base64EncodedString())
    }

    /// The JSON document, when there is one (`null` for no data).
    public var document: JSONValue? {
        switch self {
        case .none: .null
        case .json(let document): document
        case .raw: nil
        }
    }

    /// Compact JSON for JSON payloads, the stored text for raw ones, empty for none.
    public var text: String {
        switch self {
        case .none:
            return ""
        case .json(let document):
            var writer = JSONWriter()
            writer.value(document)
            return writer.text
        case .raw(let data):
            return data
        }
    }
}
