// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// Hands messages to a transport: SSE connections, HTTP push, or in-process workers.
///
/// Delivery must not wait for the receiver: implementations enqueue and return.
public protocol MessageSink: Sendable {
    func deliver(_ message: Message, to address: Address) -> DeliveryOutcome
}

/// What became of a message handed to a ``MessageSink``.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Handed to the transport; the outbox row can go.
    case delivered
    /// Handed to another server replica, which delivers it to the connection it holds and acknowledges it
    /// (``Engine/relayAcknowledged(address:content:delivered:)``). The row stays until then; a message not
    /// acknowledged within ``EngineConfiguration/relayAcknowledgementTimeout`` is routed again.
    case relayed
    /// Nobody is connected at that address right now: keep the message and retry when someone connects.
    case unreachable
    /// The transport refused it (for example a full connection buffer); recovery relies on timers.
    case dropped
}
