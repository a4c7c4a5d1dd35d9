// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A function invocation as SDKs store it in a promise's `param`: `{"func":NAME,"args":[…],"version":N}`.
public struct Invocation: Sendable, Equatable {
    public var function: String
    public var args: [JSONValue]
    public var version: Int64

    public init(function: String, args: [JSONValue], version: Int64) {
        self.function = function
        self.args = args
        self.version = version
    }

    /// Reads the invocation in a promise's param; `nil` when the param does not name a function. Local steps of
    /// the Swift SDK carry `func` without `args`; the Python SDK's local steps carry no param at all.
    public init?(param: Value) {
        guard case .json(let document) = Payload(param), case .string(let function)? = document["func"] else {
            return nil
        }
        self.function = function
        if case .array(let args)? = document["args"] { self.args = args } else { self.args = [] }
        version = document["version"]?.integerValue ?? 1
    }

    /// The param value, with keys in the order the reference CLI writes them and an empty `headers` as it sends.
    public var param: Value {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("func")
        writer.string(function)
        writer.key("args")
        writer.value(.array(args))
        writer.key("version")
        writer.integer(version)
        writer.endObject()
        return Value(headers: [:], data: Data(writer.bytes).base64EncodedString())
    }
}
