// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Stores string-to-string maps (tags, value headers) in `jsonb` columns.
///
/// Written as JSON text cast to `jsonb` in SQL and read back as `column::text`, so no JSON coder of the driver is
/// involved and the maps round-trip exactly.
enum JSONMapColumn {
    static func encode(_ map: [String: String]) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.stringMap(map)
        return writer.text
    }

    static func decode(_ text: String, column: String) throws -> [String: String] {
        guard case .object(let members) = try JSONParser().parse(text) else {
            throw PostgresStoreError(.corruptRow, "\(column) is not a JSON object: \(text.prefix(80))")
        }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw PostgresStoreError(.corruptRow, "\(column) has a value that is not a string for \(key)")
            }
            map[key] = text
        }
        return map
    }
}
