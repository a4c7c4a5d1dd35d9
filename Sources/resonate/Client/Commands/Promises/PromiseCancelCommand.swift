// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate promises cancel <id> [--value JSON]`.
struct PromiseCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a promise (state rejected_canceled).",
        discussion: """
            Exits with 1 when the promise had already settled differently.

            Example: resonate promises cancel job-1
            """
    )

    @OptionGroup var settling: PromiseSettling

    func run() async throws {
        try await settling.settle(as: .rejectedCanceled)
    }
}
