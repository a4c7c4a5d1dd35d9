// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

@Suite("Trace export", .timeLimit(.minutes(2)))
struct TraceExportTests {
    @Test("resonate dev --otlp-endpoint exports a span per request, in the caller's trace, to an OTLP/HTTP collector")
    func exportsSpansOverOTLP() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let collector = TraceCollector()
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let exported = try await collector.with { endpoint in
            let server = try await ServerProcess(
                arguments: ["dev", "--otlp-endpoint", endpoint],
                logPath: directory.appendingPathComponent("server.log").path
            )
            defer { server.terminate() }
            #expect(server.child.output.contains("traces=\(endpoint)/v1/traces"), "\(server.child.output)")

            var request = HTTPClientRequest(url: server.url + "/")
            request.method = .POST
            request.headers.add(name: "traceparent", value: "00-\(traceID)-00f067aa0ba902b7-01")
            request.body = .bytes(
                ByteBuffer(
                    string: #"""
                        {"kind":"promise.create","head":{"corrId":"c","version":"2026-04-01"},
                         "data":{"id":"traced-promise","timeoutAt":\#(LiveServer.now + 60_000)}}
                        """#
                )
            )
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status.code == 200)
            // Spans are exported in batches; a graceful stop flushes the last one.
            #expect(try await server.child.stop() == 0)
            return try await collector.waitForBody(containing: "traced-promise", timeout: .seconds(60))
        }
        // OTLP/protobuf stores strings as UTF-8 and ids as raw bytes, so both can be found in the body.
        #expect(exported.contains(Array("resonate promise.create".utf8)))
        #expect(exported.contains(Array("resonate.kind".utf8)))
        let traceBytes = stride(from: 0, to: traceID.count, by: 2).map { offset in
            let start = traceID.index(traceID.startIndex, offsetBy: offset)
            return UInt8(traceID[start..<traceID.index(start, offsetBy: 2)], radix: 16)!
        }
        #expect(exported.contains(traceBytes), "the span continues the trace of the request's traceparent")
    }
}

/// The receiving end of OTLP/HTTP: records the body of every `POST /v1/traces`.
private final class TraceCollector: Sendable {
    private let bodies = Mutex<[[UInt8]]>([])

    /// Runs the collector on a free port for the duration of `body`, passing its base URL.
    func with<T: Sendable>(_ run: @Sendable (_ endpoint: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 16 << 20)
            self.bodies.withLock { $0.append(Array(bytes.readableBytesView)) }
            return Response(status: .ok)
        }
        return try await LocalHTTPServer.with(router, run)
    }

    /// The first recorded body that contains `text`, waiting up to `timeout` for it to arrive.
    func waitForBody(containing text: String, timeout: Duration) async throws -> [UInt8] {
        let needle = Array(text.utf8)
        return try await eventuallyValue(
            "an exported span naming the promise; \(self.bodies.withLock { $0.count }) export request(s) received",
            within: timeout
        ) { self.bodies.withLock { $0.first { $0.contains(needle) } } }
    }
}
