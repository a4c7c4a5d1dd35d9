// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateTestSupport
import Testing

/// The PostgreSQL server the tests start for themselves.
@Suite("Test PostgreSQL server", .timeLimit(.minutes(2)))
struct PostgresProcessTests {
    /// A descriptor the server inherited keeps its file or socket open for as long as the server runs: a poll stream
    /// whose client had closed it stayed open (and registered on our server) for over a minute in CI this way.
    @Test("a started server holds none of the test process's descriptors")
    func inheritsNoDescriptors() async throws {
        // A pipe without close-on-exec, as sockets of the test process's HTTP clients and servers are.
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { for end in ends { close(end) } }
        let inherited = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(ends[0])")
        #expect(inherited.hasPrefix("pipe:["))

        try await PostgresProcess.with { postgres in
            let server = try #require(postgres.serverProcessID)
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server)/fd")
            let targets = descriptors.compactMap {
                try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(server)/fd/\($0)")
            }

            #expect(!targets.isEmpty, "the server's descriptors must be readable for this test to mean anything")
            #expect(!targets.contains(inherited), "the server holds the test process's pipe: \(targets)")
        }
    }
}
