// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate tasks get <id>`.
struct TaskGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show a task.",
        discussion: "Example: resonate tasks get order-7"
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The task id (the id of its promise).")
    var id: String

    func run() async throws {
        let task = try await options.client().getTask(id)
        options.console.show(task)
    }
}
