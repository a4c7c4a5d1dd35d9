// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate schedules search [--tag k=v]… [--limit N] [--cursor C] [--all]`.
struct ScheduleSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "List schedules, optionally by the tags of the promises they create, in id order.",
        discussion: """
            Results come in pages of --limit; the next page's cursor is printed after the list (in JSON output: \
            the "cursor" member, absent on the last page). --all follows the cursors and prints every page.

            Example: resonate schedules search --tag resonate:target=poll://any@reports --all
            """
    )

    @OptionGroup var options: ClientOptions

    @Option(
        name: [.customLong("tag"), .customLong("tags")],
        help: "Only schedules whose promise tags include this: key=value, or a JSON object of strings. Repeatable."
    )
    var tags: [String] = []

    @Option(help: "Page size, 1-1000.")
    var limit = 10

    @Option(help: "Start after this cursor (from a previous page).")
    var cursor: String?

    @Flag(help: "Follow the cursors and print every page.")
    var all = false

    func run() async throws {
        let tags = try ArgumentParsing.tags(self.tags, flag: "--tag")
        let limit = try ArgumentParsing.limit(limit)
        let client = try options.client()
        let fetch = { (cursor: String?) async throws(ClientError) -> Page<ScheduleRecord> in
            try await client.searchSchedules(ScheduleSearch(tags: tags, limit: limit, cursor: cursor))
        }
        let page = all ? try await Paging.all(from: cursor, fetch: fetch) : try await fetch(cursor)
        options.console.show(page)
    }
}
