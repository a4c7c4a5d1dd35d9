// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Reads typed fields out of a JSON object, naming the offending field when something has the wrong shape.
///
/// Unknown members are ignored, as the protocol requires. `null` counts as absent for optional fields.
struct ObjectReader {
    let members: [String: JSONValue]
    /// The dotted path of this object inside `data` ("" for `data` itself), used in messages.
    let path: String
    /// Prefix of every message this reader produces.
    let messagePrefix: String

    init(_ members: [String: JSONValue], path: String = "", messagePrefix: String = "Invalid request: ") {
        self.members = members
        self.path = path
        self.messagePrefix = messagePrefix
    }

    func fieldName(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func missing(_ key: String) -> RequestError {
        .badRequest("\(messagePrefix)missing field '\(fieldName(key))'")
    }

    func wrongType(_ key: String, expected: String, got value: JSONValue) -> RequestError {
        .badRequest("\(messagePrefix)field '\(fieldName(key))' must be \(expected), got \(value.typeDescription)")
    }

    func present(_ key: String) -> JSONValue? {
        switch members[key] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    func string(_ key: String) throws(RequestError) -> String {
        guard let value = present(key) else { throw missing(key) }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", got: value) }
        return text
    }

    func optionalString(_ key: String) throws(RequestError) -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", got: value) }
        try checkNoNullBytes(text, fieldName(key))
        return text
    }

    /// Every string that may be stored or looked up must be free of U+0000: PostgreSQL's `text` cannot hold it, and
    /// a store-dependent answer (stored by SQLite, a 500 from PostgreSQL) would make the stores differ. Required
    /// strings are checked with their field rules (``Request`` ids, process ids, addresses).
    func checkNoNullBytes(_ text: String, _ field: String) throws(RequestError) {
        guard !text.utf8.contains(0) else {
            throw .badRequest("\(messagePrefix)field '\(field)' must not contain null bytes")
        }
    }

    func integer(_ key: String) throws(RequestError) -> Int64 {
        guard let value = present(key) else { throw missing(key) }
        return try integerValue(key, value)
    }

    func optionalInteger(_ key: String) throws(RequestError) -> Int64? {
        guard let value = present(key) else { return nil }
        return try integerValue(key, value)
    }

    private func integerValue(_ key: String, _ value: JSONValue) throws(RequestError) -> Int64 {
        switch value {
        case .integer(let number): return number
        case .number(let number) where number == number.rounded() && abs(number) < 9.2e18:
            return Int64(number)
        case .number:
            throw .badRequest(
                "\(messagePrefix)field '\(fieldName(key))' must be an integer, got \(value.typeDescription)")
        default:
            throw wrongType(key, expected: "an integer", got: value)
        }
    }

    func object(_ key: String) throws(RequestError) -> ObjectReader {
        guard let value = present(key) else { throw missing(key) }
        guard case .object(let members) = value else { throw wrongType(key, expected: "an object", got: value) }
        return ObjectReader(members, path: fieldName(key), messagePrefix: messagePrefix)
    }

    func array(_ key: String) throws(RequestError) -> [JSONValue] {
        guard let value = present(key) else { throw missing(key) }
        guard case .array(let elements) = value else { throw wrongType(key, expected: "an array", got: value) }
        guard elements.count <= Limits.listLength else {
            throw .badRequest("\(messagePrefix)field '\(fieldName(key))' has more than \(Limits.listLength) elements")
        }
        return elements
    }

    /// A string-to-string map; absent or `null` gives an empty map.
    func stringMap(
        _ key: String, maximumCount: Int, keyLength: Int, valueLength: Int
    ) throws(RequestError)
        -> [String: String]
    {
        guard let value = present(key) else { return [:] }
        guard case .object(let members) = value else { throw wrongType(key, expected: "an object", got: value) }
        guard members.count <= maximumCount else {
            throw .badRequest("\(messagePrefix)field '\(fieldName(key))' has more than \(maximumCount) entries")
        }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (name, member) in members {
            guard case .string(let text) = member else {
                throw .badRequest(
                    "\(messagePrefix)field '\(fieldName(key)).\(name)' must be a string, got \(member.typeDescription)"
                )
            }
            guard name.utf8.count <= keyLength else {
                throw .badRequest("\(messagePrefix)a key of '\(fieldName(key))' is longer than \(keyLength) bytes")
            }
            guard !name.utf8.contains(0) else {
                throw .badRequest("\(messagePrefix)a key of '\(fieldName(key))' contains a null byte")
            }
            try checkNoNullBytes(text, "\(fieldName(key)).\(name)")
            guard text.utf8.count <= valueLength else {
                throw .badRequest(
                    "\(messagePrefix)field '\(fieldName(key)).\(name)' is longer than \(valueLength) bytes"
                )
            }
            map[name] = text
        }
        return map
    }

    /// A `{headers?, data?}` value; absent or `null` gives the empty value.
    func value(_ key: String) throws(RequestError) -> Value {
        guard present(key) != nil else { return .empty }
        let reader = try object(key)
        let headers: [String: String]? =
            reader.present("headers") == nil
            ? nil
            : try reader.stringMap(
                "headers",
                maximumCount: Limits.headerCount,
                keyLength: Limits.headerLength,
                valueLength: Limits.headerLength
            )
        return Value(headers: headers, data: try reader.optionalString("data"))
    }

    /// Reads an enum by its raw value, listing the accepted values when it is not one of them.
    func enumeration<E: RawRepresentable & CaseIterable>(
        _ key: String, as type: E.Type, allowed: [E]? = nil
    )
        throws(RequestError) -> E? where E.RawValue == String
    {
        guard let text = try optionalString(key) else { return nil }
        let accepted = allowed ?? Array(E.allCases)
        guard let value = E(rawValue: text), accepted.contains(where: { $0.rawValue == value.rawValue }) else {
            let list = accepted.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw .badRequest("\(messagePrefix)field '\(fieldName(key))' must be one of \(list), got '\(text)'")
        }
        return value
    }
}

/// Collects field-level validation messages in declaration order, each once, as the protocol reports them.
struct FieldViolations {
    private(set) var messages: [String] = []

    mutating func check(_ condition: Bool, _ message: String) {
        if !condition && !messages.contains(message) { messages.append(message) }
    }

    func throwIfAny() throws(RequestError) {
        if !messages.isEmpty { throw .badRequest(messages.joined(separator: "; ")) }
    }
}
