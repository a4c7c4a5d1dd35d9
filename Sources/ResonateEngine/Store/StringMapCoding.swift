// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Stores string-to-string maps (tags, value headers) as JSON objects with sorted keys.
enum StringMapCoding {
    static func encode(_ map: [String: String]) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.stringMap(map)
        return writer.text
    }

    /// Reads a stored map. Every promise read goes through here (its tags and headers), a whole branch per preload,
    /// so the shape this type writes — a flat object of strings without escapes — is read directly from its bytes;
    /// anything else takes the general JSON parser.
    static func decode(_ text: String) throws -> [String: String] {
        var text = text
        if let map = text.withUTF8(flatMap) { return map }
        return try decodeJSON(text)
    }

    /// The map in `bytes` if they are `{"key":"value",…}` with no escapes and no whitespace; `nil` otherwise.
    private static func flatMap(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: String]? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var index = 0
        /// The string starting at the quote at `index`, leaving `index` after its closing quote.
        func string() -> String? {
            guard index < bytes.count, bytes[index] == quote else { return nil }
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != quote {
                if bytes[end] == backslash || bytes[end] < 0x20 { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            index = end + 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "{"), bytes[bytes.count - 1] == UInt8(ascii: "}") else {
            return nil
        }
        index = 1
        var map: [String: String] = [:]
        if bytes.count == 2 { return map }
        while true {
            guard let key = string(), index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = string(), map.updateValue(value, forKey: key) == nil, index < bytes.count else {
                return nil
            }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): return index == bytes.count - 1 ? map : nil
            default: return nil
            }
        }
    }

    private static func decodeJSON(_ text: String) throws -> [String: String] {
        guard case .object(let members) = try JSONParser().parse(text) else {
            throw SQLiteError(code: 0, message: "corrupt stored map: \(text.prefix(80))")
        }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw SQLiteError(code: 0, message: "corrupt stored map value for \(key)")
            }
            map[key] = text
        }
        return map
    }

    /// A SQLite JSON path selecting `key` of an object, quoted so that any key is safe.
    static func jsonPath(forKey key: String) -> String {
        var writer = JSONWriter(capacity: key.utf8.count + 4)
        writer.string(key)
        return "$." + writer.text
    }
}
