// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol

/// Executes requests directly on an in-process engine: local mode, no JSON, no network.
struct LocalTransport: Transport {
    let engine: Engine<SQLiteStore>

    func send(_ request: Request) async throws -> Reply {
        await engine.execute(request)
    }
}

/// Receives the engine's messages in-process. There is only one process in local mode, so every `poll://`
/// address is this one.
final class LocalMessageSink: MessageSink {
    let messages: AsyncStream<Message>
    private let continuation: AsyncStream<Message>.Continuation

    init() {
        (messages, continuation) = AsyncStream.makeStream(of: Message.self)
    }

    func deliver(_ message: Message, to address: Address) -> DeliveryOutcome {
        switch continuation.yield(message) {
        case .enqueued: .delivered
        case .dropped, .terminated: .dropped
        @unknown default: .dropped
        }
    }

    func finish() {
        continuation.finish()
    }
}
