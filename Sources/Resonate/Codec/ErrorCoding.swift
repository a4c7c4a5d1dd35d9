// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes thrown errors as rejection values and back.
///
/// The wire shape is the one all Resonate SDKs read: `{"__type":"error","message":…}`. Swift adds `"name"` (the
/// error's type) and, for `Codable` errors registered by name, `"data"` holding the error itself, so the same type
/// can be thrown again on the other side.
final class ErrorCoding: Sendable {
    private struct Registration {
        let decode: @Sendable (JSONValue) throws -> any Error
    }

    private let registrations = Mutex<[String: Registration]>([:])
    private let codec = PayloadCodec()

    init() {
        // The SDK's own errors (a timed-out call, a diverged replay) keep their type through promises.
        register(ResonateError.self)
    }

    func register<E: Error & Codable & Sendable>(_ type: E.Type) {
        let codec = self.codec
        registrations.withLock {
            $0[Self.name(of: type)] = Registration(decode: { json in try codec.decode(E.self, fromJSON: json) })
        }
    }

    static func name(of type: Any.Type) -> String {
        String(reflecting: type)
    }

    func encode(_ error: any Error) -> Value {
        var members: [String: JSONValue] = [
            "__type": .string("error"),
            "message": .string(Self.message(of: error)),
        ]
        switch error {
        case let application as ApplicationError:
            if let name = application.name { members["name"] = .string(name) }
        default:
            members["name"] = .string(Self.name(of: type(of: error)))
            if let encodable = error as? any Encodable, let json = try? codec.json(encodable) {
                members["data"] = json
            }
        }
        var writer = JSONWriter()
        writer.value(.object(members))
        return codec.value(ofJSON: writer.bytes)
    }

    /// The error a rejected promise's value describes.
    func decode(_ value: Value) -> any Error {
        guard let json = try? codec.jsonDocument(in: value), case .object(let members) = json else {
            return ApplicationError(message: "the promise was rejected without an error value")
        }
        let message = members["message"]?.stringValue ?? "the promise was rejected"
        let name = members["name"]?.stringValue
        if let name, let data = members["data"] {
            let registration = registrations.withLock { $0[name] }
            if let registration, let error = try? registration.decode(data) { return error }
        }
        return ApplicationError(name: name, message: message)
    }

    static func message(of error: any Error) -> String {
        switch error {
        case let error as ApplicationError: error.message
        case let error as ResonateError: error.description
        case let error as any CustomStringConvertible: error.description
        case let error as any LocalizedError: error.errorDescription ?? String(describing: error)
        default: String(describing: error)
        }
    }
}
