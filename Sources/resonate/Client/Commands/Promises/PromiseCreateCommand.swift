// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate promises create <id> --timeout 1h [--param JSON] [--tags …]`.
struct PromiseCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a promise (or show the existing one with that id).",
        discussion: """
            Creation is idempotent by id: when a promise with the id exists, the server returns it unchanged and \
            a note says so on standard error.

            Examples:
              resonate promises create approval-7 --timeout 2d --tags app=shop --tags kind=approval
              resonate promises create job-1 --timeout 1h --param '{"size":3}' --tags '{"resonate:target":"poll://any@workers"}'
            """
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The promise id.")
    var id: String

    @Option(help: "How long until the promise times out, e.g. 30s, 1h30m, 2d.")
    var timeout: String

    @Option(help: "The param: a JSON document.")
    var param: String?

    @Option(
        name: [.customLong("tags"), .customLong("tag")],
        help: "Tags: key=value, or a JSON object of strings. Repeatable."
    )
    var tags: [String] = []

    func run() async throws {
        let timeout = try ArgumentParsing.duration(self.timeout, flag: "--timeout")
        let param = try self.param.map { text throws(ClientError) in
            Payload.value(of: try ArgumentParsing.json(text, flag: "--param"))
        }
        let tags = try ArgumentParsing.tags(self.tags, flag: "--tags")
        let client = try options.client()
        let create = PromiseCreate(
            id: id,
            timeoutAt: TimeText.now + timeout.wholeMilliseconds,
            param: param ?? .empty,
            tags: tags
        )
        let promise = try await client.createPromise(create)
        // A new promise carries the deadline just sent; an existing one keeps its own.
        if promise.timeoutAt != create.timeoutAt {
            options.console.note("note: promise \(id) already exists; it is unchanged")
        }
        options.console.show(promise)
    }
}
