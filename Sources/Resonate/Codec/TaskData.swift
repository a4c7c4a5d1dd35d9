// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The param of a promise that invokes a function by name: `{"func","args","kwargs","version"}`.
///
/// Every Resonate SDK reads this shape: the Python SDK writes all four keys, the TypeScript SDK and CLI omit
/// `kwargs`. Keyword arguments have no Swift counterpart; a Swift function receives `args` only and fails clearly
/// if a caller passed keyword arguments.
struct TaskData: Sendable {
    var function: String
    var args: [JSONValue]
    var kwargs: [String: JSONValue]
    var version: Int

    init(function: String, args: [JSONValue], kwargs: [String: JSONValue] = [:], version: Int) {
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.version = version
    }

    init(json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw ResonateError(.decoding, "a function invocation must be a JSON object, got \(json.typeDescription)")
        }
        guard case .string(let function)? = members["func"] else {
            throw ResonateError(.decoding, "a function invocation needs a string 'func'")
        }
        self.function = function
        switch members["args"] {
        case nil, .null?: args = []
        case .array(let elements)?: args = elements
        case let other?: throw ResonateError(.decoding, "'args' must be an array, got \(other.typeDescription)")
        }
        switch members["kwargs"] {
        case nil, .null?: kwargs = [:]
        case .object(let object)?: kwargs = object
        case let other?: throw ResonateError(.decoding, "'kwargs' must be an object, got \(other.typeDescription)")
        }
        switch members["version"] {
        case .integer(let number)?: version = Int(number)
        default: version = 1
        }
    }

    /// The JSON document, keys in the order the Python SDK writes them.
    var json: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("args")
        writer.value(.array(args))
        writer.key("kwargs")
        writer.value(.object(kwargs))
        writer.key("func")
        writer.string(function)
        writer.key("version")
        writer.integer(version)
        writer.endObject()
        return writer.bytes
    }
}
