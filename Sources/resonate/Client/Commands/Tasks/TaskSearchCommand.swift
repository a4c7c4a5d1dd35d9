// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate tasks search [--state S] [--limit N] [--cursor C] [--all]`.
struct TaskSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "List tasks, optionally in one state, in id order.",
        discussion: """
            Results come in pages of --limit; the next page's cursor is printed after the list (in JSON output: \
            the "cursor" member, absent on the last page). --all follows the cursors and prints every page.

            Example: resonate tasks search --state halted
            """
    )

    @OptionGroup var options: ClientOptions

    @Option(help: "Only tasks in this state.")
    var state: TaskState?

    @Option(help: "Page size, 1-1000.")
    var limit = 100

    @Option(help: "Start after this cursor (from a previous page).")
    var cursor: String?

    @Flag(help: "Follow the cursors and print every page.")
    var all = false

    func run() async throws {
        let limit = try ArgumentParsing.limit(limit)
        let client = try options.client()
        let state = self.state
        let fetch = { (cursor: String?) async throws(ClientError) -> Page<TaskRecord> in
            try await client.searchTasks(TaskSearch(state: state, limit: limit, cursor: cursor))
        }
        let page = all ? try await Paging.all(from: cursor, fetch: fetch) : try await fetch(cursor)
        options.console.show(page)
    }
}
