// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// A registered function with its types erased: arguments arrive as JSON, the result leaves as a payload.
struct RegisteredFunction: Sendable {
    let name: String
    let version: Int
    let retryPolicy: RetryPolicy?
    /// Decodes the arguments, runs the body, encodes the result.
    let invoke: @Sendable (Context, [JSONValue]) async throws -> Value
}

/// Decodes the elements of an argument array one by one into a parameter pack.
final class ArgumentDecoder {
    private let arguments: [JSONValue]
    private let function: String
    private var index = 0
    private let codec = PayloadCodec()

    init(_ arguments: [JSONValue], function: String) {
        self.arguments = arguments
        self.function = function
    }

    func next<T: Decodable>(_ type: T.Type) throws -> T {
        defer { index += 1 }
        guard index < arguments.count else {
            throw ResonateError(
                .decoding,
                "\(function) expects more arguments than the \(arguments.count) it was called with"
            )
        }
        do {
            return try codec.decode(T.self, fromJSON: arguments[index])
        } catch {
            throw ResonateError(.decoding, "argument \(index + 1) of \(function): \(error)")
        }
    }

    func finish() throws {
        guard index == arguments.count else {
            throw ResonateError(
                .decoding,
                "\(function) takes \(index) arguments but was called with \(arguments.count)"
            )
        }
    }
}

/// Encodes the elements of a parameter pack as an argument array.
func encodeArguments<each Arg: Encodable>(_ arguments: repeat each Arg) throws -> [JSONValue] {
    let codec = PayloadCodec()
    var encoded: [JSONValue] = []
    for argument in repeat each arguments {
        encoded.append(try codec.json(argument))
    }
    return encoded
}
