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

    static func decode(_ text: String) throws -> [String: String] {
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
