// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate promises resolve <id> [--value JSON]`.
struct PromiseResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve a promise.",
        discussion: """
            Exits with 1 when the promise had already settled differently.

            Example: resonate promises resolve approval-7 --value true
            """
    )

    @OptionGroup var settling: PromiseSettling

    func run() async throws {
        try await settling.settle(as: .resolved)
    }
}
