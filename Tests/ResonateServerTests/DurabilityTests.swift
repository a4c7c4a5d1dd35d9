// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Synchronization
import Testing

@Suite("Durability", .timeLimit(.minutes(3)), .serialized)
struct DurabilityTests {
    /// What a client was told was stored.
    enum Acknowledged: Sendable {
        case created
        case resolved
    }

    static func rpc(
        _ baseURL: String,
        _ kind: String,
        _ data: String,
        token: String? = nil
    ) async throws -> (status: Int, data: JSONValue) {
        var request = HTTPClientRequest(url: baseURL + "/")
        request.method = .POST
        let auth = token.map { #","auth":"\#($0)""# } ?? ""
        request.body = .bytes(
            ByteBuffer(
                string: #"{"kind":"\#(kind)","head":{"corrId":"d","version":"2026-04-01"\#(auth)},"data":\#(data)}"#
            )
        )
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try JSONParser().parse(Array(body.readableBytesView)))
    }

    @Test("every acknowledged write survives kill -9 of the server")
    func acknowledgedWritesSurviveKill() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("durability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = "sqlite:" + directory.appendingPathComponent("resonate.db").path
        let first = try await ServerProcess(
            arguments: ["serve", "--store", store],
            logPath: directory.appendingPathComponent("first.log").path
        )
        let acknowledged = AcknowledgedWrites()
        let baseURL = first.url
        let deadline = LiveServer.now + 3_600_000
        // Sixteen clients create and resolve promises as fast as they can until the server dies under them.
        try await withThrowingTaskGroup(of: Void.self) { clients in
            for client in 0..<16 {
                clients.addTask {
                    for index in 0... {
                        let id = "c\(client)-\(index)"
                        guard
                            let (created, _) = try? await Self.rpc(
                                baseURL,
                                "promise.create",
                                #"{"id":"\#(id)","timeoutAt":\#(deadline)}"#
                            ), created == 200
                        else { return }
                        acknowledged.record(id, .created)
                        guard
                            let (settled, _) = try? await Self.rpc(
                                baseURL,
                                "promise.settle",
                                #"{"id":"\#(id)","state":"resolved","value":{"data":"\#(id)"}}"#
                            ), settled == 200
                        else { return }
                        acknowledged.record(id, .resolved)
                    }
                }
            }
            // Kill the server once plenty of writes were acknowledged, while the clients are still writing.
            try await eventually(
                "1,500 acknowledged writes, \(acknowledged.count) so far", checkingEvery: .milliseconds(5)
            ) {
                acknowledged.count >= 1500
            }
            first.kill9()
            // A request sent after the kill waits in the HTTP client's pool, which retries the connection until the
            // request's own timeout; none of those can be acknowledged any more, so stop them now.
            clients.cancelAll()
            try await clients.waitForAll()
        }
        let expected = acknowledged.all
        #expect(expected.count >= 1500)

        let second = try await ServerProcess(
            arguments: ["serve", "--store", store],
            logPath: directory.appendingPathComponent("second.log").path
        )
        defer { second.terminate() }
        var missing: [String] = []
        var wrongState: [String] = []
        for (id, state) in expected {
            let (status, envelope) = try await Self.rpc(second.url, "promise.get", #"{"id":"\#(id)"}"#)
            let data = envelope["data"] ?? .null
            guard status == 200 else {
                missing.append(id)
                continue
            }
            let stored = data["promise"]?["state"]?.stringValue
            switch state {
            case .created:
                // The settle may have committed without its answer reaching the client.
                if stored != "pending" && stored != "resolved" { wrongState.append("\(id): \(stored ?? "-")") }
            case .resolved:
                if stored != "resolved" || data["promise"]?["value"]?["data"] != .string(id) {
                    wrongState.append("\(id): \(stored ?? "-")")
                }
            }
        }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
        #expect(wrongState.isEmpty, "acknowledged state lost: \(wrongState.prefix(10))")
    }
}

/// The writes clients were told succeeded, shared by the client tasks.
final class AcknowledgedWrites: Sendable {
    private let writes = Mutex<[String: DurabilityTests.Acknowledged]>([:])

    func record(_ id: String, _ state: DurabilityTests.Acknowledged) {
        writes.withLock { $0[id] = state }
    }

    var count: Int { writes.withLock { $0.count } }
    var all: [String: DurabilityTests.Acknowledged] { writes.withLock { $0 } }
}
