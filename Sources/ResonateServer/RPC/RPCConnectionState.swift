// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1

/// What ``RPCChannelHandler`` does with each request part of its connection: the decisions, without I/O.
struct RPCConnectionState {
    enum Action: Equatable {
        case none
        /// Hand the part to Hummingbird.
        case forward(HTTPServerRequestPart)
        /// Answer the request; `body` is `nil` when it was over the limit.
        case respond(HTTPRequestHead, body: ByteBuffer?)
    }

    private enum Phase {
        /// Between requests.
        case idle
        /// Collecting the body of a `POST /` served here (into ``collected``).
        case collecting(HTTPRequestHead)
        /// A request served here is being answered.
        case responding
        /// Passing a request's parts to Hummingbird.
        case forwarding
    }

    private var phase = Phase.idle
    /// The body being collected; `nil` once it went over the limit. Kept outside `phase` so that appending a chunk
    /// writes into the one buffer instead of copying it.
    private var collected: ByteBuffer?
    /// Requests handed to Hummingbird whose response has not ended yet.
    private var unansweredForwarded = 0
    /// Parts read while a response was being made, in order.
    private var held: [HTTPServerRequestPart] = []
    private var readWanted = false
    private var quiesceWanted = false

    /// Whether a request can be served here: `POST /` on a connection kept open after it. ``received(_:maximumBodySize:)``
    /// also requires that Hummingbird has nothing left to answer before it.
    static func servesHere(_ head: HTTPRequestHead) -> Bool {
        head.method == .POST && head.uri == "/" && head.isKeepAlive
    }

    mutating func received(_ part: HTTPServerRequestPart, maximumBodySize: Int) -> Action {
        if case .responding = phase {
            held.append(part)
            return .none
        }
        switch (phase, part) {
        case (.idle, .head(let head)):
            if unansweredForwarded == 0, Self.servesHere(head) {
                let length = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
                phase = .collecting(head)
                collected = length > maximumBodySize ? nil : ByteBuffer()
                return .none
            }
            unansweredForwarded += 1
            phase = .forwarding
            return .forward(part)
        case (.collecting, .body(var chunk)):
            if let size = collected?.readableBytes, size + chunk.readableBytes <= maximumBodySize {
                // A body that arrives in one chunk, the usual case, is kept as it is, without a copy.
                if size == 0 { collected = chunk } else { collected?.writeBuffer(&chunk) }
            } else {
                collected = nil
            }
            return .none
        case (.collecting(let head), .end):
            phase = .responding
            defer { collected = nil }
            return .respond(head, body: collected)
        case (.forwarding, .end):
            phase = .idle
            return .forward(part)
        case (.forwarding, _), (.idle, _):
            // .idle with a body or an end cannot come from NIO's decoder; Hummingbird reports it if it does.
            return .forward(part)
        case (.collecting, .head), (.responding, _):
            // A head inside a request cannot come from NIO's decoder either.
            return .forward(part)
        }
    }

    /// Hummingbird ended a response.
    mutating func forwardedResponseEnded() {
        unansweredForwarded = max(0, unansweredForwarded - 1)
    }

    /// Whether the connection may read now; otherwise the read happens once the response is written.
    mutating func shouldRead() -> Bool {
        if case .responding = phase {
            readWanted = true
            return false
        }
        return true
    }

    /// Whether a graceful shutdown's quiesce event must wait for a request in progress here.
    mutating func deferQuiesce() -> Bool {
        switch phase {
        case .collecting, .responding:
            quiesceWanted = true
            return true
        case .idle, .forwarding:
            return false
        }
    }

    /// The response was written: the parts held meanwhile (to be received again, in order), and whether a read and
    /// a quiesce event were held back.
    mutating func responded() -> (heldParts: [HTTPServerRequestPart], read: Bool, quiesce: Bool) {
        phase = .idle
        defer {
            held = []
            readWanted = false
            quiesceWanted = false
        }
        return (held, readWanted, quiesceWanted)
    }
}
