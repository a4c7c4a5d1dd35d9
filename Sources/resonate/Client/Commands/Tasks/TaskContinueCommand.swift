// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate tasks continue <id>`.
struct TaskContinueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "continue",
        abstract: "Continue a halted task: it becomes pending and is delivered to a worker again.",
        discussion: """
            Only halted tasks can be continued (otherwise exit 1). Prints the task afterwards.

            Example: resonate tasks continue order-7
            """
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The task id (the id of its promise).")
    var id: String

    func run() async throws {
        let client = try options.client()
        try await client.continueTask(id)
        options.console.show(try await client.getTask(id))
    }
}
