// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ResonateEngine
import ResonateProtocol
import ResonateServer
import ResonateTesting
import ServiceLifecycle
import Testing

/// A real server on a free loopback port for the duration of a test, with request helpers.
struct LiveServer {
    let port: Int
    let server: ResonateServer<SQLiteStore>
    var engine: Engine<SQLiteStore> { server.engine }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a server, runs `body`, then shuts the server down gracefully.
    static func with<T: Sendable>(
        store: SQLiteStore.Location = .memory,
        engine configureEngine: (inout EngineConfiguration) -> Void = { _ in },
        server configureServer: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        try await InProcessServer.with(store: store, engine: configureEngine, server: configureServer) { server in
            try await body(LiveServer(port: server.port, server: server.server))
        }
    }

    // MARK: Requests

    /// Posts a raw body to `/` and returns the status and parsed envelope.
    func post(_ body: String) async throws -> (status: Int, envelope: JSONValue) {
        try await post(bytes: Array(body.utf8))
    }

    func post(bytes: [UInt8]) async throws -> (status: Int, envelope: JSONValue) {
        var request = HTTPClientRequest(url: baseURL + "/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        let envelope = try JSONParser().parse(Array(body.readableBytesView))
        return (Int(response.status.code), envelope)
    }

    /// Sends an operation in a well-formed envelope.
    func rpc(_ kind: String, _ data: String, corrId: String = "c1") async throws -> (status: Int, data: JSONValue) {
        let (status, envelope) = try await post(
            #"{"kind":"\#(kind)","head":{"corrId":"\#(corrId)","version":"2026-04-01"},"data":\#(data)}"#
        )
        #expect(envelope["head"]?["status"] == .integer(Int64(status)), "head.status must equal the HTTP status")
        #expect(envelope["head"]?["corrId"] == .string(corrId))
        return (status, envelope["data"] ?? .null)
    }

    /// A plain GET, returning status and body text.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: baseURL + path), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
