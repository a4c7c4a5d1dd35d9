// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate promises get <id>`.
struct PromiseGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show a promise.",
        discussion: "Example: resonate promises get order-7"
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The promise id.")
    var id: String

    func run() async throws {
        let promise = try await options.client().getPromise(id)
        options.console.show(promise)
    }
}
