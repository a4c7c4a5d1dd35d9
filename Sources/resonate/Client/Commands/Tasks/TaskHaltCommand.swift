// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate tasks halt <id>`.
struct TaskHaltCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "halt",
        abstract: "Halt a task: no worker gets it until it is continued.",
        discussion: """
            Works on pending, acquired and suspended tasks (a worker holding the lease loses it); halting a halted \
            task changes nothing. A fulfilled task cannot be halted (exit 1). Prints the task afterwards.

            Example: resonate tasks halt order-7
            """
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The task id (the id of its promise).")
    var id: String

    func run() async throws {
        let client = try options.client()
        try await client.haltTask(id)
        options.console.show(try await client.getTask(id))
    }
}
