// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("The resonate process", .timeLimit(.minutes(2)), .serialized)
struct ProcessTests {
    @Test("serves Prometheus metrics and stops gracefully on SIGTERM with a stream open")
    func metricsAndGracefulShutdown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let metricsPort = try LocalPorts.free()
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
            timeout: .seconds(60)
        )
        let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
        #expect(text.contains(#"resonate_request_total{kind="promise.create",status="200"} 1"#), "\(text)")
        #expect(text.contains("resonate_commit_batch_size"))
        // Gauges of stored state, read at scrape time.
        #expect(text.contains(#"resonate_promises{state="pending"} 1"#), "\(text)")
        #expect(text.contains(#"resonate_promises{state="resolved"} 0"#))
        #expect(text.contains(#"resonate_tasks{state="acquired"} 0"#))
        #expect(text.contains("resonate_outbox_depth 0"))
        #expect(text.contains("resonate_outbox_parked 0"))
        #expect(text.contains("resonate_sse_connections 0"))

        var request = HTTPClientRequest(url: server.url + "/poll/workers/p1")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let stream = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        #expect(stream.status == .ok)
        kill(server.child.process.processIdentifier, SIGTERM)
        // The open stream ends and the process exits on its own.
        var body = stream.body.makeAsyncIterator()
        while try await body.next() != nil {}
        #expect(try await server.child.waitForExit(timeout: .seconds(30)) == 0)
        let log = try String(contentsOfFile: server.child.logPath, encoding: .utf8)
        #expect(log.contains("resonate server stopped"), "\(log)")
    }

    @Test(
        "auth options are checked at start-up with a precise message",
        arguments: [
            (["--auth-publickey", "/nonexistent/key.pem"], "cannot read public key file '/nonexistent/key.pem'"),
            (["--auth-iss", "https://issuer.example"], "need --auth-publickey"),
            (["--auth-publickey", "none", "--auth-leeway", "soon"], "invalid auth leeway 'soon'"),
        ])
    func invalidAuthOptions(arguments: [String], message: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try ChildProcess(
            executable: ProcessInfo.processInfo.environment["RESONATE_BIN"] ?? ChildProcess.executable("resonate"),
            arguments: ["dev", "--port", "0", "--metrics-port", "0"] + arguments,
            logPath: directory.appendingPathComponent("server.log").path
        )
        let status = try await child.waitForExit(timeout: .seconds(30))
        #expect(status != 0)
        #expect(child.output.contains(message), "\(child.output)")
    }

    @Test("with --auth-publickey the server answers 401 without a token and serves a valid one")
    func authEnabledProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let issuer = try TestTokenIssuer(.rs256)
        let server = try await ServerProcess(
            arguments: ["dev", "--auth-publickey", try issuer.writePublicKey()],
            logPath: directory.appendingPathComponent("server.log").path
        )
        defer { server.terminate() }
        #expect(server.child.output.contains("auth=RSA"), "\(server.child.output)")
        let create = #"{"id":"a","timeoutAt":\#(LiveServer.now + 60_000)}"#
        #expect(try await DurabilityTests.rpc(server.url, "promise.create", create).status == 401)
        let token = try issuer.token(claims: #""role":"admin""#)
        #expect(try await DurabilityTests.rpc(server.url, "promise.create", create, token: token).status == 200)
    }
}
