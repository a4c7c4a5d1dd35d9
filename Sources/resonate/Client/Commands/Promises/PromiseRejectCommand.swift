// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate promises reject <id> [--value JSON]`.
struct PromiseRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a promise.",
        discussion: """
            Exits with 1 when the promise had already settled differently.

            Example: resonate promises reject job-1 --value '{"message":"out of stock"}'
            """
    )

    @OptionGroup var settling: PromiseSettling

    func run() async throws {
        try await settling.settle(as: .rejected)
    }
}
