// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import Resonate

@Suite("Message stream: when a process reconnects")
struct EventStreamSourceTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var lived: Duration?
        var endedCleanly: Bool
        var delay: Duration
    }

    @Test(
        "a stream the server ended after it lived is reopened at once; failures and instant ends wait the backoff",
        arguments: [
            Case(
                description: "ended by the server after minutes", lived: .seconds(236), endedCleanly: true,
                delay: .zero),
            Case(
                description: "ended cleanly after exactly the least life", lived: .seconds(1), endedCleanly: true,
                delay: .zero),
            Case(
                description: "ended cleanly right after opening", lived: .milliseconds(20), endedCleanly: true,
                delay: .seconds(4)),
            Case(description: "failed after minutes", lived: .seconds(236), endedCleanly: false, delay: .seconds(4)),
            Case(description: "never connected", lived: nil, endedCleanly: false, delay: .seconds(4)),
        ]
    )
    func reconnectDelay(_ example: Case) {
        let delay = EventStreamSource.reconnectDelay(
            streamLived: example.lived, endedCleanly: example.endedCleanly, backoff: .seconds(4))

        #expect(delay == example.delay)
    }
}
