// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate promises`: durable promises.
struct PromisesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promises",
        abstract: "Get, create, settle and search durable promises.",
        discussion: """
            Values (--param, --value) are JSON documents; they are stored base64-encoded, as every Resonate SDK \
            stores them, so an SDK awaiting the promise reads the same JSON. Output decodes them again.
            """,
        subcommands: [
            PromiseGetCommand.self, PromiseCreateCommand.self, PromiseResolveCommand.self, PromiseRejectCommand.self,
            PromiseCancelCommand.self, PromiseSearchCommand.self,
        ],
        aliases: ["promise"]
    )
}
