// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateTestSupport
import ResonateTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("resonate serve shutting down", .timeLimit(.minutes(2)))
struct ShutdownTests {
    /// Whether the server's established connections on `port` exist and have empty receive queues, from
    /// `/proc/net/tcp` (fields: local address:port, remote, state, tx_queue:rx_queue, all hexadecimal).
    static func serverConnectionsHaveReadEverything(port: Int) throws -> Bool {
        // Read to the end: a procfs file reports size 0, and reading it by its size stops at the first page.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return false }
        defer { try? file.close() }
        let table = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        let local = String(format: ":%04X", port)
        var found = false
        for line in table.split(separator: "\n").dropFirst() {
            let fields: [Substring] = line.split(separator: " ")
            guard fields.count > 4, fields[1].hasSuffix(local), fields[3] == "01" else { continue }
            guard fields[4].hasSuffix(":00000000") else { return false }
            found = true
        }
        return found
    }

    @Test("a client that never finishes its request does not keep the server from exiting on SIGTERM")
    func halfSentRequestDoesNotBlockShutdown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shutdown-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await ServerProcess(logPath: directory.appendingPathComponent("server.log").path)
        defer { server.kill9() }
        // Headers promise 100 bytes of body; 8 come, and the connection stays open.
        let descriptor = try RawHTTP.connect(
            port: server.port, sending: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"kind\":")
        defer { close(descriptor) }
        // The server has read what was sent once its side of the connection has nothing left to read.
        try await eventually("the server to read the half-sent request", within: .seconds(10)) {
            try Self.serverConnectionsHaveReadEverything(port: server.port)
        }
        server.child.process.terminate()
        let started = ContinuousClock.now
        let status = try await server.child.waitForExit(timeout: .seconds(30))
        #expect(status == 0)
        // The default shutdown timeout is 10 s; without one, the server waits for the client forever.
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
