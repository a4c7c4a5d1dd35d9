// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Reads typed fields out of a JSON object received from a server, naming the offending field by its full path.
///
/// The client-side counterpart of `ObjectReader`: it is tolerant where the server is strict. Unknown members are
/// ignored, and `null` counts as absent for every optional field (the Python SDK's simulator writes
/// `"value":null`, the reference server omits absent fields).
struct ReplyReader {
    let members: [String: JSONValue]
    /// The dotted path of this object (`data.promise`), or `""` for the root of what is being decoded.
    let path: String
    /// What is being decoded (`task.acquire response`, `promise record`), for the start of messages.
    let context: String

    init(members: [String: JSONValue], path: String, context: String) {
        self.members = members
        self.path = path
        self.context = context
    }

    /// A reader over `value`, which must be an object.
    init(_ value: JSONValue, path: String, context: String) throws(ReplyDecodingError) {
        guard case .object(let members) = value else {
            let subject = path.isEmpty ? "the \(context)" : "field '\(path)'"
            throw ReplyDecodingError(
                reason: .invalidField,
                field: path.isEmpty ? nil : path,
                message: "Invalid \(context): \(subject) must be an object, got \(value.typeDescription)"
            )
        }
        self.init(members: members, path: path, context: context)
    }

    func fieldName(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func invalid(_ key: String, _ problem: String) -> ReplyDecodingError {
        ReplyDecodingError(
            reason: .invalidField,
            field: fieldName(key),
            message: "Invalid \(context): field '\(fieldName(key))' \(problem)"
        )
    }

    func missing(_ key: String) -> ReplyDecodingError {
        ReplyDecodingError(
            reason: .invalidField,
            field: fieldName(key),
            message: "Invalid \(context): missing field '\(fieldName(key))'"
        )
    }

    func wrongType(_ key: String, expected: String, got value: JSONValue) -> ReplyDecodingError {
        invalid(key, "must be \(expected), got \(value.typeDescription)")
    }

    /// The member, with `null` reported as absent.
    func present(_ key: String) -> JSONValue? {
        switch members[key] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    func string(_ key: String) throws(ReplyDecodingError) -> String {
        guard let value = present(key) else { throw missing(key) }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", got: value) }
        return text
    }

    func optionalString(_ key: String) throws(ReplyDecodingError) -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", got: value) }
        return text
    }

    func integer(_ key: String) throws(ReplyDecodingError) -> Int64 {
        guard let value = present(key) else { throw missing(key) }
        return try integerValue(key, value)
    }

    func optionalInteger(_ key: String) throws(ReplyDecodingError) -> Int64? {
        guard let value = present(key) else { return nil }
        return try integerValue(key, value)
    }

    /// Accepts integer literals and, like the server, numbers with an integral value (`1.0`).
    private func integerValue(_ key: String, _ value: JSONValue) throws(ReplyDecodingError) -> Int64 {
        switch value {
        case .integer(let number): return number
        case .number(let number) where number == number.rounded() && abs(number) < 9.2e18: return Int64(number)
        case .number: throw invalid(key, "must be an integer, got a number with a fraction or out of range")
        default: throw wrongType(key, expected: "an integer", got: value)
        }
    }

    func object(_ key: String) throws(ReplyDecodingError) -> ReplyReader {
        guard let value = present(key) else { throw missing(key) }
        guard case .object(let members) = value else { throw wrongType(key, expected: "an object", got: value) }
        return ReplyReader(members: members, path: fieldName(key), context: context)
    }

    func optionalObject(_ key: String) throws(ReplyDecodingError) -> ReplyReader? {
        guard present(key) != nil else { return nil }
        return try object(key)
    }

    /// The elements of an array member; a missing or `null` member is an error unless `required` is false, when it
    /// gives an empty array.
    func array(_ key: String, required: Bool = true) throws(ReplyDecodingError) -> [JSONValue] {
        guard let value = present(key) else {
            if required { throw missing(key) }
            return []
        }
        guard case .array(let elements) = value else { throw wrongType(key, expected: "an array", got: value) }
        return elements
    }

    /// Decodes each element of an array of objects, each read at the path `key[index]`.
    func objects<Element>(
        _ key: String,
        required: Bool = true,
        _ decode: (ReplyReader) throws(ReplyDecodingError) -> Element
    ) throws(ReplyDecodingError) -> [Element] {
        let elements = try array(key, required: required)
        var decoded: [Element] = []
        decoded.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let elementPath = "\(fieldName(key))[\(index)]"
            guard case .object(let members) = element else {
                throw ReplyDecodingError(
                    reason: .invalidField,
                    field: elementPath,
                    message:
                        "Invalid \(context): field '\(elementPath)' must be an object, got \(element.typeDescription)"
                )
            }
            decoded.append(try decode(ReplyReader(members: members, path: elementPath, context: context)))
        }
        return decoded
    }

    /// A string-to-string map; absent or `null` gives an empty map.
    func stringMap(_ key: String) throws(ReplyDecodingError) -> [String: String] {
        guard let value = present(key) else { return [:] }
        return try stringMapValue(key, value)
    }

    private func stringMapValue(_ key: String, _ value: JSONValue) throws(ReplyDecodingError) -> [String: String] {
        guard case .object(let members) = value else { throw wrongType(key, expected: "an object", got: value) }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (name, member) in members {
            guard case .string(let text) = member else {
                throw invalid("\(key).\(name)", "must be a string, got \(member.typeDescription)")
            }
            map[name] = text
        }
        return map
    }

    /// A `{headers?, data?}` value; absent or `null` gives the empty value.
    func value(_ key: String) throws(ReplyDecodingError) -> Value {
        guard present(key) != nil else { return .empty }
        return try Value(reader: try object(key))
    }

    /// Reads an enum by its raw value, listing the accepted values when it is not one of them.
    func enumeration<E: RawRepresentable & CaseIterable>(
        _ key: String,
        as type: E.Type
    ) throws(ReplyDecodingError) -> E where E.RawValue == String {
        let text = try string(key)
        guard let value = E(rawValue: text) else {
            let list = E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw invalid(key, "must be one of \(list), got '\(text)'")
        }
        return value
    }

    /// A string-to-string map, or `nil` when absent or `null` (so that `{}` and absent stay distinguishable).
    func optionalStringMap(_ key: String) throws(ReplyDecodingError) -> [String: String]? {
        guard let value = present(key) else { return nil }
        return try stringMapValue(key, value)
    }
}
