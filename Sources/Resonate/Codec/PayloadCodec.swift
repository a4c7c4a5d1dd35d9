// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Converts Swift values to the protocol's payloads and back: `Value.data` holds standard base64 of a JSON
/// document, as every Resonate SDK writes it. A JSON `null` is stored as no data at all (Python's `None`).
struct PayloadCodec: Sendable {
    func encode<T: Encodable>(_ value: T) throws -> Value {
        let json = try Self.encoder.encode(value)
        if json.elementsEqual("null".utf8) { return .empty }
        return Value(data: json.base64EncodedString())
    }

    func decode<T: Decodable>(_ type: T.Type, from value: Value) throws -> T {
        let json: Data
        if let data = value.data {
            guard let decoded = Data(base64Encoded: data) else {
                throw ResonateError(.decoding, "the stored value is not base64: \(data.prefix(40))")
            }
            json = decoded
        } else {
            json = Data("null".utf8)
        }
        do {
            return try Self.decoder.decode(T.self, from: json)
        } catch {
            throw ResonateError(
                .decoding,
                "cannot decode \(T.self) from \(String(decoding: json.prefix(200), as: UTF8.self)): \(error)"
            )
        }
    }

    /// The JSON document of a value, for embedding in a larger document (function arguments).
    func json<T: Encodable>(_ value: T) throws -> JSONValue {
        let data = try Self.encoder.encode(value)
        return try JSONParser().parse(data)
    }

    func decode<T: Decodable>(_ type: T.Type, fromJSON json: JSONValue) throws -> T {
        var writer = JSONWriter()
        writer.value(json)
        do {
            return try Self.decoder.decode(T.self, from: Data(writer.bytes))
        } catch {
            throw ResonateError(.decoding, "cannot decode \(T.self) from \(writer.text.prefix(200)): \(error)")
        }
    }

    /// The JSON bytes of a document, base64-encoded into a value, with optional headers (trace context).
    func value(ofJSON bytes: [UInt8], headers: [String: String]? = nil) -> Value {
        Value(headers: headers, data: Data(bytes).base64EncodedString())
    }

    /// The JSON document inside a value; `null` when it holds no data.
    func jsonDocument(in value: Value) throws -> JSONValue {
        guard let data = value.data else { return .null }
        guard let decoded = Data(base64Encoded: data) else {
            throw ResonateError(.decoding, "the stored value is not base64: \(data.prefix(40))")
        }
        do {
            return try JSONParser().parse(decoded)
        } catch {
            throw ResonateError(.decoding, "the stored value is not JSON: \(error)")
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
