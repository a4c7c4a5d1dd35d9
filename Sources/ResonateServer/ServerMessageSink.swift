// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Metrics
import ResonateEngine
import ResonateProtocol

/// Routes engine messages to SSE connections (`poll://`) or HTTP push (`http(s)://`).
struct ServerMessageSink: MessageSink {
    let registry: PollRegistry
    let push: PushDelivery
    let serverURL: String

    func deliver(_ message: Message, to address: Address) -> DeliveryOutcome {
        let bytes = message.json(serverURL: serverURL)
        let outcome: DeliveryOutcome
        switch address {
        case .unicast, .anycast:
            outcome = registry.deliver(bytes, to: address)
        case .http(let url):
            outcome = push.enqueue(bytes, to: url)
        }
        if outcome == .delivered {
            Counter(label: "resonate_messages_total", dimensions: [("kind", message.kind)]).increment()
        }
        return outcome
    }
}
