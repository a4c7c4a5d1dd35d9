// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate tasks`: the leasable work attached to promises with a `resonate:target`.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Inspect tasks, and halt or continue them.",
        discussion: """
            A task is the unit of work behind a promise with a resonate:target tag; its id is the promise's id. \
            Halting a task stops it from being delivered to workers until it is continued; its promise can still \
            settle or time out.
            """,
        subcommands: [TaskGetCommand.self, TaskSearchCommand.self, TaskHaltCommand.self, TaskContinueCommand.self],
        aliases: ["task"]
    )
}
