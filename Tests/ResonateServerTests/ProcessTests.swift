// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ResonateProtocol
import ResonateTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("The resonate process", .timeLimit(.minutes(2)), .serialized)
struct ProcessTests {
    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw TestFailure("bind failed") }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("serves Prometheus metrics and stops gracefully on SIGTERM with a stream open")
    func metricsAndGracefulShutdown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let metricsPort = try Self.freePort()
        let server = try await ServerProcess(
            arguments: ["dev"],
            extraArguments: ["--metrics-port", String(metricsPort)],
            logPath: directory.appendingPathComponent("server.log").path
        )
        defer { server.terminate() }
        let (status, _) = try await DurabilityTests.rpc(
            server.url,
            "promise.create",
            #"{"id":"m","timeoutAt":\#(LiveServer.now + 60_000)}"#
        )
        #expect(status == 200)
        let metrics = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"),
            timeout: .seconds(10)
        )
        let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
        #expect(text.contains(#"resonate_request_total{kind="promise.create",status="200"} 1"#), "\(text)")
        #expect(text.contains("resonate_commit_batch_size"))

        var request = HTTPClientRequest(url: server.url + "/poll/workers/p1")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let stream = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        #expect(stream.status == .ok)
        kill(server.child.process.processIdentifier, SIGTERM)
        // The open stream ends and the process exits on its own.
        var body = stream.body.makeAsyncIterator()
        while try await body.next() != nil {}
        server.child.process.waitUntilExit()
        #expect(server.child.process.terminationReason == .exit)
        #expect(server.child.process.terminationStatus == 0)
        let log = try String(contentsOfFile: server.child.logPath, encoding: .utf8)
        #expect(log.contains("resonate server stopped"), "\(log)")
    }
}
