// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate schedules delete <id>`.
struct ScheduleDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a schedule; promises it already created are kept.",
        discussion: "Example: resonate schedules delete nightly"
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The schedule id.")
    var id: String

    func run() async throws {
        try await options.client().deleteSchedule(id)
        if options.json {
            options.console.printJSON { writer in
                writer.beginObject()
                writer.key("deleted")
                writer.string(id)
                writer.endObject()
            }
        } else {
            options.console.print("deleted schedule \(id)")
        }
    }
}
