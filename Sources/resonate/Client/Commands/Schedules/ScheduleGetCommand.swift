// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate schedules get <id>`.
struct ScheduleGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show a schedule.",
        discussion: "Example: resonate schedules get nightly"
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The schedule id.")
    var id: String

    func run() async throws {
        let schedule = try await options.client().getSchedule(id)
        options.console.show(schedule)
    }
}
