// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate promises search [--state S] [--tag k=v]… [--id-prefix P] [--limit N] [--cursor C] [--all]`.
struct PromiseSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "List promises by state, tags and id prefix, in id order.",
        discussion: """
            Results come in pages of --limit; the next page's cursor is printed after the list (in JSON output: \
            the "cursor" member, absent on the last page). --all follows the cursors and prints every page.

            The protocol's search filters by state and tags only. --id-prefix uses its ordering instead: the search \
            starts at the prefix (results are in id order and the cursor is an id) and stops at the first id \
            without it, so only the matching range is read; the id equal to the prefix is fetched with promise.get. \
            The search does not time out expired promises (a promise past its deadline may still show pending).

            Examples:
              resonate promises search --state pending --tag app=shop
              resonate promises search --id-prefix order- --all --json
            """
    )

    @OptionGroup var options: ClientOptions

    @Option(help: "Only promises in this state.")
    var state: PromiseState?

    @Option(
        name: [.customLong("tag"), .customLong("tags")],
        help: "Only promises with this tag: key=value, or a JSON object of strings. Repeatable; all must match."
    )
    var tags: [String] = []

    @Option(help: "Only promises whose id starts with this text.")
    var idPrefix: String?

    @Option(help: "Page size, 1-1000.")
    var limit = 100

    @Option(help: "Start after this cursor (from a previous page).")
    var cursor: String?

    @Flag(help: "Follow the cursors and print every page.")
    var all = false

    func run() async throws {
        let query = PromiseQuery(
            state: state,
            tags: try ArgumentParsing.tags(tags, flag: "--tag"),
            idPrefix: idPrefix,
            limit: try ArgumentParsing.limit(limit)
        )
        let client = try options.client()
        let page =
            all
            ? try await Paging.all(from: cursor) { cursor throws(ClientError) in
                try await query.page(after: cursor, using: client)
            }
            : try await query.page(after: cursor, using: client)
        options.console.show(page)
    }
}
