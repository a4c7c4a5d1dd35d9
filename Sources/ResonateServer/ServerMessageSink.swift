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
    /// With replicas sharing the store: routes `poll://` messages over the whole cluster's connections.
    let cluster: ClusterCoordinator?
    let metrics: ServerMetricHandles

    func deliver(_ message: Message, to address: Address) -> DeliveryOutcome {
        let outcome: DeliveryOutcome
        switch address {
        case .unicast, .anycast:
            var target = address
            if let cluster {
                let routed = cluster.route(message, to: address)
                guard let local = routed.local else { return routed.outcome }
                target = local
            }
            outcome = registry.deliver(message.json(serverURL: serverURL), to: target, task: message.task)
        case .http(let url):
            outcome = push.enqueue(message.json(serverURL: serverURL), to: url)
        }
        if outcome == .delivered {
            metrics.messages(kind: message.kind).increment()
        }
        return outcome
    }
}
