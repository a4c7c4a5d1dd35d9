// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The functions this process can execute, by name and version.
final class FunctionRegistry: Sendable {
    private struct Key: Hashable {
        let name: String
        let version: Int
    }

    private let functions = Mutex<[Key: RegisteredFunction]>([:])

    func add(_ function: RegisteredFunction) throws {
        try functions.withLock { functions in
            let key = Key(name: function.name, version: function.version)
            guard functions[key] == nil else {
                throw ResonateError(
                    .alreadyRegistered,
                    "a function named '\(function.name)' (version \(function.version)) is already registered"
                )
            }
            functions[key] = function
        }
    }

    func function(named name: String, version: Int) -> RegisteredFunction? {
        functions.withLock { $0[Key(name: name, version: version)] }
    }
}
