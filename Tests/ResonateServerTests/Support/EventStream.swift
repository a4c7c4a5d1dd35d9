// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import ResonateProtocol

/// A client of `GET /poll/{group}/{id}` that yields each SSE block: its `data:` payload, or the comment marker.
final class EventStream: Sendable {
    enum Event: Equatable, Sendable {
        case comment
        case data(JSONValue)
    }

    let events: AsyncThrowingStream<Event, any Error>
    private let continuation: AsyncThrowingStream<Event, any Error>.Continuation

    private init() {
        (events, continuation) = AsyncThrowingStream.makeStream(of: Event.self)
    }

    /// Opens the stream and runs `body` with it; the connection closes when `body` returns.
    static func with<T: Sendable>(
        _ server: LiveServer,
        group: String,
        process: String,
        _ body: @Sendable (EventStream) async throws -> T
    ) async throws -> T {
        // A client of its own: shutting it down closes the TCP connection for certain, which is what tests of
        // disconnection observe. Cancelling a read on a shared pool's connection does not always close it at once.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await run(
                stream: EventStream(), client: client, server, group: group, process: process, body)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private static func run<T: Sendable>(
        stream: EventStream,
        client: HTTPClient,
        _ server: LiveServer,
        group: String,
        process: String,
        _ body: @Sendable (EventStream) async throws -> T
    ) async throws -> T {
        var request = HTTPClientRequest(url: server.baseURL + "/poll/\(group)/\(process)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await client.execute(request, timeout: .seconds(600))
        guard response.status == .ok else { throw TestFailure("poll answered \(response.status)") }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                do {
                    var pending = ""
                    for try await chunk in response.body {
                        pending += String(buffer: chunk)
                        while let end = pending.firstRange(of: "\n\n") {
                            let block = String(pending[..<end.lowerBound])
                            pending = String(pending[end.upperBound...])
                            stream.continuation.yield(try Self.parse(block))
                        }
                    }
                    stream.continuation.finish()
                } catch {
                    stream.continuation.finish(throwing: error)
                }
                return nil
            }
            // The stream opens with a comment once the server has registered the connection.
            var iterator = stream.events.makeAsyncIterator()
            guard try await iterator.next() == .comment else { throw TestFailure("expected the opening comment") }
            let result = try await body(stream)
            group.cancelAll()
            return result
        }
    }

    private static func parse(_ block: String) throws -> Event {
        var data = ""
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") { continue }
            if line.hasPrefix("data:") {
                data += line.dropFirst("data:".count).drop { $0 == " " }
            }
        }
        if data.isEmpty { return .comment }
        return .data(try JSONParser().parse(data))
    }

    /// The next data event, skipping comments.
    func nextMessage() async throws -> JSONValue {
        for try await event in events {
            if case .data(let message) = event { return message }
        }
        throw TestFailure("stream ended")
    }
}
