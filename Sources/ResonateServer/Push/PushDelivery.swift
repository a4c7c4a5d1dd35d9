// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ResonateEngine
import ResonateProtocol
import ServiceLifecycle

/// Delivers messages to `http://` and `https://` addresses with `POST`, a bounded number at a time.
///
/// Delivery is fire-and-forget like the protocol's: the response status is only logged and counted, and a lost
/// `execute` is re-sent by the task's retry timer.
final class PushDelivery: Service, Sendable {
    private struct Item: Sendable {
        let url: String
        let body: [UInt8]
    }

    private let queue: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let concurrency: Int
    private let timeout: Duration
    private let logger: Logger
    private let dropped = Counter(label: "resonate_deliveries_total", dimensions: [("status", "dropped")])
    private let succeeded = Counter(label: "resonate_deliveries_total", dimensions: [("status", "success")])
    private let failed = Counter(label: "resonate_deliveries_total", dimensions: [("status", "error")])

    init(concurrency: Int, timeout: Duration, queueLimit: Int = 10_000, logger: Logger) {
        (queue, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(queueLimit))
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.logger = logger
    }

    func enqueue(_ body: [UInt8], to url: String) -> DeliveryOutcome {
        if case .enqueued = continuation.yield(Item(url: url, body: body)) { return .delivered }
        dropped.increment()
        return .dropped
    }

    func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                var inFlight = 0
                for await item in self.queue {
                    if inFlight >= self.concurrency {
                        await group.next()
                        inFlight -= 1
                    }
                    inFlight += 1
                    group.addTask { await self.send(item, with: client) }
                }
                await group.waitForAll()
            }
        }
        try? await client.shutdown()
    }

    private func send(_ item: Item, with client: HTTPClient) async {
        var request = HTTPClientRequest(url: item.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: item.body))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.wholeNanoseconds))
            if (200..<300).contains(Int(response.status.code)) {
                succeeded.increment()
            } else {
                failed.increment()
                logger.info("push target answered \(response.status.code)", metadata: ["url": "\(item.url)"])
            }
        } catch {
            failed.increment()
            logger.info("push delivery failed", metadata: ["url": "\(item.url)", "error": "\(error)"])
        }
    }

}
