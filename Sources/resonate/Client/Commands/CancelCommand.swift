// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate cancel <id> [--reason TEXT]`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an execution and everything it started.",
        discussion: """
            Settles the execution's promise as rejected_canceled. The server cancels its pending children in the \
            same transaction, recursively: local steps, remote calls, sleeps and latent promises (detached \
            executions keep running). A Swift SDK function then replays once to run its cleanup; it shows in \
            the tree as a "cleanup" node. Prints the tree afterwards (JSON: the canceled promise).

            Exits with 1 when the execution had already finished, or does not exist: nothing is changed then.

            Examples:
              resonate cancel order-7
              resonate cancel order-7 --reason "the customer withdrew the order"
            """
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The id of the execution's promise.")
    var id: String

    @Option(help: "Why: stored with the cancellation; whoever awaits the execution sees it in the error.")
    var reason: String?

    func run() async throws {
        let client = try options.client()
        let console = options.console
        // A settlement of a settled promise is answered with the promise unchanged; looking first tells an
        // earlier cancellation from this one.
        guard let found = try await client.findPromise(id) else {
            throw ClientError(.refused, "no execution \(id)", status: 404, operation: "promise.get")
        }
        guard found.state == .pending else {
            throw ClientError(.failedOutcome, "\(id) was already \(found.state.rawValue); nothing was canceled")
        }
        // The reason travels as an error value, as the SDKs store a rejection's error.
        let value = reason.map { Payload.value(of: .object(["message": .string($0)])) } ?? .empty
        let promise = try await client.settlePromise(PromiseSettle(id: id, state: .rejectedCanceled, value: value))
        guard promise.state == .rejectedCanceled else {
            console.show(promise)
            throw ClientError(.failedOutcome, "\(id) was already \(promise.state.rawValue); nothing was canceled")
        }
        if console.isJSON {
            console.show(promise)
            return
        }
        console.print("canceled \(id)\n")
        for line in try await CallTree.fetch(rootID: id, using: client).textLines(now: TimeText.now) {
            console.print(line)
        }
    }
}
