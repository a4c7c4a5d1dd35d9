// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate schedules`: cron schedules that create promises.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Create, get, delete and search cron schedules.",
        discussion: """
            At every cron occurrence (UTC) the server creates a promise from the schedule's template; with a \
            resonate:target tag that promise is a task delivered to a worker.
            """,
        subcommands: [
            ScheduleCreateCommand.self, ScheduleGetCommand.self, ScheduleDeleteCommand.self,
            ScheduleSearchCommand.self,
        ],
        aliases: ["schedule"]
    )
}
