// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// What `promises resolve`, `reject` and `cancel` share: settle a promise with an optional JSON value.
struct PromiseSettling: ParsableArguments {
    @OptionGroup var options: ClientOptions

    @Argument(help: "The promise id.")
    var id: String

    @Option(help: "The value: a JSON document (stored base64-encoded, as SDKs store values).")
    var value: String?

    /// Settles the promise as `state` and prints it.
    ///
    /// Settling is idempotent on the server: a promise settled before keeps its state and the server answers 200.
    /// When that state is not `state` the command fails (exit 1), so a script does not go on as if it had won.
    func settle(as state: PromiseState) async throws {
        let value = try self.value.map { text throws(ClientError) in
            Payload.value(of: try ArgumentParsing.json(text, flag: "--value"))
        }
        let promise = try await options.client().settlePromise(
            PromiseSettle(id: id, state: state, value: value ?? .empty))
        options.console.show(promise)
        guard promise.state == state else {
            throw ClientError(
                .failedOutcome,
                "promise \(id) was already \(promise.state.rawValue); it was not \(Self.verb(state))"
            )
        }
    }

    private static func verb(_ state: PromiseState) -> String {
        switch state {
        case .resolved: "resolved"
        case .rejected: "rejected"
        case .rejectedCanceled: "canceled"
        default: state.rawValue
        }
    }
}
