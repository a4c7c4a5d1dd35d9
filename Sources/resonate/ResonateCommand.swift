// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// The `resonate` command.
@main
struct ResonateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resonate",
        abstract: "Durable execution for Swift, compatible with Resonate.",
        discussion: """
            Run a server with `resonate serve` (state in a SQLite file) or `resonate dev` (in memory, debug \
            operations on). Every option can also be set with the environment variable shown in its help.

            Official Resonate SDKs connect with RESONATE_URL=http://localhost:8001.
            """,
        version: "0.1.0",
        subcommands: [ServeCommand.self, DevCommand.self, BenchCommand.self]
    )
}
