// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A parsed JSON document.
///
/// Integers and other numbers are kept apart so that fields the protocol defines as 64-bit integers
/// (timestamps, versions, limits) can reject `1.5` or `1e30` with a precise message instead of rounding.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number literal without fraction or exponent that fits in `Int64`.
    case integer(Int64)
    /// Any other number literal.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A short noun for the value's type, used in validation messages ("expected a string, got an array").
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The members of an object, or `nil` for any other value.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The text of a string, or `nil` for any other value.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value of an integer literal, or `nil` for any other value.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// Looks up a member of an object; `nil` for missing members and for non-objects.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}
