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

            The client commands (invoke, cancel, promises, tasks, schedules, tree) talk to a server given by --server or \
            RESONATE_URL and print text, or JSON with --json. Exit status: 0 success; 1 the server refused the \
            request (4xx), or the awaited promise was rejected, canceled or timed out; 2 usage error; 3 the server \
            is unreachable, failed (5xx) or sent an unreadable response.
            """,
        subcommands: [
            ServeCommand.self, DevCommand.self, BenchCommand.self, InvokeCommand.self, CancelCommand.self,
            PromisesCommand.self,
            TasksCommand.self, SchedulesCommand.self, TreeCommand.self, VersionCommand.self,
        ]
    )
}
